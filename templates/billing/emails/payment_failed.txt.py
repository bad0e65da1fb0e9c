BBBB BBBB gettext(u'We could not collect the payment of %(amount)s for %(workspace)s on Rapport.') SS SSSSS SSS SSSSSSS SSS SSSSSSS SS SSSSSSSSSS SSS SSSSSSSSSSSSS SS SSSSSSSS

 gettext(u'Please update the payment method. The workspace keeps working during a grace period, then turns read-only until payment succeeds.') 

