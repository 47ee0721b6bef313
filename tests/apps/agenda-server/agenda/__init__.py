"""agenda: iCalendar feeds from a folder of calendars."""
