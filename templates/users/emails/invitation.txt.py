BBBB BBBB gettext(u'%(inviter)s invited you to join %(workspace)s on Rapport.') SSSSSSSSSSS SSSSSSS SSS SS SSSS SSSSSSSSSSSSS SS SSSSSSSS

 gettext(u'Accept the invitation and choose your password:') 


 gettext(u'This link works once and expires on %(expires)s.') SSSS SSSS SSSSS SSSS SSS SSSSSSS SS SSSSSSSSSSSS
