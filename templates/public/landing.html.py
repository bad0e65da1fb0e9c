BBBBBBB BBBBBBBBBBBBBBBBBB
BBBB BBBB
BBBBB BBBBB gettext(u'Rapport — the CRM for small and medium businesses') BBBBBBBB BBBBB
BBBBB BBBBBBB
XXXX XXXXXXXXXXXXXXXXXXX XXXXXX
  XXXX XXXXXXXXXX XXXXXXXXXXXXXXXXXX XXXXX
    XXXX XXXXXXXXXXXXXXXXX
      XXX XXXXXXXXXXXXXXXX XXXXXXXXX gettext(u'Know every customer. Close every deal.') XXXXX
      XX XXXXXXXXXXX XXXXXXXXXXXXXXXX gettext(u'Rapport is the CRM for small and medium businesses: contacts and companies, leads, deals on a pipeline board, and every call, meeting and task on one timeline — in your own isolated workspace, ready in seconds, with nothing to install.') XXXX
      XX XXXXXXBBB BBBBBBBBX XXXXXXXXXX XXXXXXXXXXX XXXXXXXX gettext(u'Start your free trial') XXXX
      XX XXXXXXXXXXXXXXXXXXXXX XXXXX XXXXXX gettext(u'14 days free, no card required.') XXXX
    XXXXXX
    XXXX XXXXXXXXXXXXXXXXX
      XXXX XXXXXXXXXXXXXXXXX XXXXXXXXXXXXXXXXXX
        XXX XXXXXXXXXXXXXXXXXXX gettext(u'Already a customer?') XXXXX
        XX XXXXXXXXXXXXXXXXXXXXXXX gettext(u'Sign in at your workspace address, e.g. <code>your-company.%(domain)s</code>.') SSSS SS SS SSSS SSSSSSSSS SSSSSSSS SSSS SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSXXXX
        XX XXXXXXBBB BBBBBBBBBBBBBBBBBBXX gettext(u'Forgot your workspace address?') XXXX
      XXXXXXXXXXXX
    XXXXXX
  XXXXXX
  XXX XXXXXXXXXXX XXXXXX gettext(u'Plans') XXXXX
  BBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBB
XXXXXX
BBBBBBBB BBBBBBB
