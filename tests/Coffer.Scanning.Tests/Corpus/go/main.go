package main

import (
	"database/sql"
	"log"
	"os"
)

const defaultDSN = "postgres://app:§iomeivfDw1zcSEIGKx@db.prod.internal:5432/orders?sslmode=require"
const localDSN = "postgres://app:${DB_PASSWORD}@localhost:5432/orders"

var slackToken = "xoxb-§778191926675-3491896148575-Rb1THIKBtdUM6l0wneUV89mH"
var twilioKey = "SK§890ca058e8a676cc406c0538ca926e4a"

func main() {
	dsn := os.Getenv("DATABASE_URL")
	if dsn == "" {
		dsn = defaultDSN
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	token := os.Getenv("API_TOKEN")
	password := "password"
	_ = token
	_ = password
}
