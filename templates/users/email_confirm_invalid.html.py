BBBBBBB BBBBBBBBBBB
BBBB BBBB
BBBBB BBBBBBBBBB gettext(u'Link not valid') BBBBBBBB BBBBBBBBBB
BBBBB BBBBBBBBBBBB gettext(u'This link does not work') BBBBBBBB BBBBBBBBBBBB
BBBBB BBBBBBB
XXXX XXXXXXXXXX XXXXXXXXXXXXXXXXXXXXXXXX
  XXXX XXXXXXXXXXXXXXX XXXXXXXXXX
    XXXX XXXXXXXXXXXX XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
      XXXX XXXXXXXXXXXXXXXXXX
        XXX gettext(u'The link is invalid, has expired or was already used, or it was sent for another account or another workspace.') XXXX
        XX XXXXXXXXXXXXXXXXXXXXX XXXXXX gettext(u'Links work only for the account they were sent for: sign in to that account on its workspace, then open the link again. From your profile you can ask for a new one.') XXXX
      XXXXXX
      XXXX XXXXXXXXXXXXXXXXXX XXXXXXXXXXXX XXXXXXBBB BBBBBBBBBXXXXXXX XXXXXXXXXX XXXXXXXXXXXXX gettext(u'Go to your profile') XXXXXXXXXX
    XXXXXX
  XXXXXX
XXXXXX
BBBBBBBB BBBBBBB
