BBBB BBBB gettext(u'You asked to use %(email)s as the email address of your Rapport account in %(workspace)s.') SSS SSSSS SS SSS SSSSSSSSS SS SSS SSSSS SSSSSSS SS SSSS SSSSSSS SSSSSSS SS SSSSSSSSSSSSSS

 ngettext(u'Your address changes when you open this link while signed in (it works once, for %(days)s day):', u'Your address changes when you open this link while signed in (it works once, for %(days)s days):', count) SSSS SSSSSSS SSSSSSS SSSS SSS SSSS SSSS SSSS SSSSS SSSSSS SS SSS SSSSS SSSSS SSS SSSSSSSS SSSSSPPPP PPPPPPP PPPPPPP PPPP PPP PPPP PPPP PPPP PPPPP PPPPPP PP PPP PPPPP PPPPP PPP PPPPPPPP PPPPPP


 gettext(u'If you did not ask for this, ignore this email: nothing changes.') 
