BBBB BBBB gettext(u'Please confirm that %(email)s is the email address of your Rapport account in %(workspace)s.') SSSSSS SSSSSSS SSSS SSSSSSSSS SS SSS SSSSS SSSSSSS SS SSSS SSSSSSS SSSSSSS SS SSSSSSSSSSSSSS

 ngettext(u'Open this link while signed in (it works once, for %(days)s day):', u'Open this link while signed in (it works once, for %(days)s days):', count) SSSS SSSS SSSS SSSSS SSSSSS SS SSS SSSSS SSSSS SSS SSSSSSSS SSSSSPPPP PPPP PPPP PPPPP PPPPPP PP PPP PPPPP PPPPP PPP PPPPPPPP PPPPPP


 gettext(u'If you did not ask for this, you can ignore this email.') 
