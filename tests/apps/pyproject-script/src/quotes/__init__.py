QUOTES = ["Simple is better than complex.", "Readability counts.", "Errors should never pass silently."]
