BBBB BBBB gettext(u'The Rapport subscription of %(workspace)s has ended.') SSS SSSSSSS SSSSSSSSSSSS SS SSSSSSSSSSSSS SSS SSSSSS

 gettext(u'The workspace is now read-only: everything can still be viewed and exported, and nothing has been deleted. Choose a plan to continue working.') 

