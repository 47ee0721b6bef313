// guestbook: a Go web service that renders templates/ at run time and listens on $PORT.
package main

import (
	"html/template"
	"log"
	"net/http"
	"os"
	"sync"
)

type book struct {
	mu      sync.Mutex
	entries []string
	page    *template.Template
}

func (b *book) index(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		b.mu.Lock()
		b.entries = append(b.entries, r.FormValue("message"))
		b.mu.Unlock()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.page.Execute(w, map[string]any{"Entries": b.entries, "UID": os.Getuid()}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func main() {
	// Parsed from disk at start-up: the image must ship templates/ next to the binary's working dir.
	page := template.Must(template.ParseFiles("templates/index.html"))
	b := &book{page: page}
	http.HandleFunc("/", b.index)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("guestbook listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
