BBBBBBB BBBBBBBBBBBBBBBB
BBBB BBBB
BBBBB BBBBB gettext(u'Invitation not valid') BBBBBBBB BBBBB
BBBBB BBBB
XXX XXXXXXXXX XXXXXXXXXXX XXXXXX gettext(u'This invitation link cannot be used') XXXXX
XX XXXXXXXXXXXXXXXXXXXXXXX gettext(u'It may have expired, been revoked, or already been used. Ask your workspace admin to send a new invitation.') XXXX
XX XXXXXXBBB BBBBBBBX XXXXXXXXXX XXXXXXX gettext(u'Go to sign-in') XXXX
BBBBBBBB BBBB
