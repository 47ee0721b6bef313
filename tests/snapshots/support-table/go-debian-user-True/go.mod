module my-service

// 1.19: the oldest Go this builds with (Debian bookworm's golang-go).
go 1.19
