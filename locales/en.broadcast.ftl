# Staff broadcasts (issue 7): the text is written by staff and sent as is.

broadcast-message = { $text }
