BBBB BBBB gettext(u'Thank you! We received %(amount)s for %(workspace)s on Rapport.') SSSSS SSSS SS SSSSSSSS SSSSSSSSSS SSS SSSSSSSSSSSSS SS SSSSSSSS
BB BBBBBB
 gettext(u'Invoice %(number)s') SSSSSSS SSSSSSSSSSBBBBB

 gettext(u'Invoices and payment details:') 

