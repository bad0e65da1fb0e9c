BBBB BBBB gettext(u'Hello %(name)s,\n\nwelcome to Rapport! Your workspace %(workspace)s is ready.') SSSSS SSSSSSSSS

SSSSSSS SS SSSSSSSS SSSS SSSSSSSSS SSSSSSSSSSSSS SS SSSSSS

 gettext(u"Your workspace's address (bookmark it):") 


 gettext(u'Sign in there with %(email)s and the password you chose:') SSSS SS SSSSS SSSS SSSSSSSSS SSS SSS SSSSSSSS SSS SSSSSS


 ngettext(u'Please confirm that this is your email address, so receipts and other important messages reach you. Open this link while signed in (it works for %(days)s day):', u'Please confirm that this is your email address, so receipts and other important messages reach you. Open this link while signed in (it works for %(days)s days):', count) SSSSSS SSSSSSS SSSS SSSS SS SSSS SSSSS SSSSSSSS SS SSSSSSSS SSS SSSSS SSSSSSSSS SSSSSSSS SSSSS SSSS SSSS SSSS SSSS SSSSS SSSSSS SS SSS SSSSS SSS SSSSSSSS SSSSSPPPPPP PPPPPPP PPPP PPPP PP PPPP PPPPP PPPPPPPP PP PPPPPPPP PPP PPPPP PPPPPPPPP PPPPPPPP PPPPP PPPP PPPP PPPP PPPP PPPPP PPPPPP PP PPP PPPPP PPP PPPPPPPP PPPPPP


 gettext(u'If you did not sign up for Rapport, you can ignore this email.') 
