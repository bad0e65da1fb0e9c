BBBB BBBB gettext(u'Several attempts to sign in to your Rapport account at %(place)s failed with a wrong password, so sign-in to it is paused for a while: each new failure makes the next attempt wait longer, up to %(max_minutes)s minutes. Browsers you have signed in with before are not affected.') SSSSSSS SSSSSSSS SS SSSS SS SS SSSS SSSSSSS SSSSSSS SS SSSSSSSSS SSSSSS SSSS S SSSSS SSSSSSSSS SS SSSSSSS SS SS SS SSSSSS SSS S SSSSSS SSSS SSS SSSSSSS SSSSS SSS SSSS SSSSSSS SSSS SSSSSSS SS SS SSSSSSSSSSSSSSS SSSSSSSS SSSSSSSS SSS SSSS SSSSSS SS SSSS SSSSSS SSS SSS SSSSSSSSS

BB BBBBBBBBBBBB gettext(u'If this was you, wait a few minutes and try again, or choose a new password here (this also lifts the pause):') BBBB gettext(u'If this was you, wait a few minutes and try again:') BBBBB


 gettext(u'If it was not you, someone may be guessing your password. It is safe as long as it is not guessable; if in doubt, choose a new one.') 
