// A counter service in the shape of Docker's compose samples: one main.go, no go.mod,
// built by the Dockerfile's golang stage and run from scratch.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"sync/atomic"
)

var hits int64

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8000"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hits: %d, uid: %d\n", atomic.AddInt64(&hits, 1), os.Getuid())
	})
	log.Printf("listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
