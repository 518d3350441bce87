// Package telegramtest is an in-process fake of the Telegram Bot API HTTP
// server, believable enough that netzbot's end-to-end tests and the terminal
// demo (`netzbot demo`) can run the real bot client against it.
//
// Every request is checked against the official Bot API reference (a trimmed
// copy committed in testdata/telegram/bot-api.json) and against the limits the
// reference states only in prose, so a test fails wherever real Telegram would
// answer 400 Bad Request. On top of that the server keeps per-chat message
// history, answers getUpdates long polls and delivers webhooks, and lets tests
// inject faults (429, 403, 5xx, slow or dropped answers) and rate limits.
//
// Updates are pushed with SendText, PressButton, SendLocation and friends.
// WaitHandled returns once the bot confirmed an update: with getUpdates that
// is the next poll whose offset is past the update (Telegram's own notion of
// "handled"), with a webhook it is the 200 answer. A bot that replies before
// it confirms (netzbot's poller does) has made all its calls for an update by
// then, so Exchange and Press can return them; a bot that confirms first and
// handles asynchronously (go-telegram's built-in poller) should use WaitCall.
//
// The package must not import testing: the demo binary links it.
package telegramtest

//go:generate go run ./trimspec -in ../../../../shared/telegram/bot-api.json -out ../../../testdata/telegram/bot-api.json
