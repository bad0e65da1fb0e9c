BBBBBBB BBBBBBBBBBBBBBBB
BBBB BBBB
BBBBB BBBBB gettext(u'Check your email') BBBBBBBB BBBBB
BBBBB BBBB
XXX XXXXXXXXX XXXXXXXXXXX XXXXXX gettext(u'Check your email') XXXXX
XX XXXXXXXXXXXXXXXXXXXXXXX gettext(u'If an account with that address exists in this workspace, a link to reset the password is on its way. It is valid for a few hours.') XXXX
XX XXXXXXBBB BBBBBBBX XXXXXXXXXX XXXXXXX gettext(u'Back to sign-in') XXXX
BBBBBBBB BBBB
