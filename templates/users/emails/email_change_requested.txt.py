BBBB BBBB gettext(u'Someone signed in to your Rapport account in %(workspace)s asked to change its email address from %(old)s to %(new)s.') SSSSSSS SSSSSS SS SS SSSS SSSSSSS SSSSSSS SS SSSSSSSSSSSSS SSSSS SS SSSSSS SSS SSSSS SSSSSSS SSSS SSSSSSS SS SSSSSSSS

 gettext(u'The address changes only if the link sent to the new address is opened by someone signed in to your account. Until then nothing has changed.') 

 gettext(u'If this was you, there is nothing to do. If it was not, cancel the change on your profile and choose a new password:') 


