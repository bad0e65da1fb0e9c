BBBB BBBB gettext(u'The free trial of %(workspace)s on Rapport ends in %(days_left)s days.') SSS SSSS SSSSS SS SSSSSSSSSSSSS SS SSSSSSS SSSS SS SSSSSSSSSSSSS SSSSS

 gettext(u'Choose a plan to keep working without interruption. Without one the workspace turns read-only; your data stays safe.') 

