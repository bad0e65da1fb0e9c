BBBB BBBBBB BBBBB gettext(u'Your email address has an account in these Rapport workspaces:') 
BBB BBBBB BBB BB BBBBB
X X BBBBBB
BBBB gettext(u'We could not find a Rapport workspace with an account for this email address.') 

 gettext(u'If a colleague invited you, ask them to send the invitation again. To start a new workspace:') 
BBBBB

 gettext(u'If you did not ask for this, you can ignore this email.') 
