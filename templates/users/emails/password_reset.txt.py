BBBB BBBB gettext(u'Someone asked to reset the password of your Rapport account in %(workspace)s') SSSSSSS SSSSS SS SSSSS SSS SSSSSSSS SS SSSS SSSSSSS SSSSSSS SS SSSSSSSSSSSSS XXX

 gettext(u'Choose a new password here:') 
BBB BBBBBBBBBBBBBBBBBBBBBBBB BBBBBBBBBB BBBBBBBBBBB

 gettext(u'If you did not ask for this, you can ignore this email; your password stays as it is.') 
