// Package demo lets a person chat with the real bot in a terminal. What
// they type becomes a Telegram update from a demo user on the in-process
// fake Bot API; the bot's answers are printed with their buttons numbered,
// and typing a number (or a button's label) presses it.
//
// It also works from a pipe: every input line is echoed, the output is
// plain text without colours, and it ends after the bot answered the last
// line, so a conversation can be scripted and compared.
package demo

import (
	"bufio"
	"context"
	"fmt"
	"html"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// Options configure a demo session.
type Options struct {
	Server *telegramtest.Server
	User   telegramtest.User
	In     io.Reader
	Out    io.Writer
	// Interactive prints a prompt instead of echoing input lines.
	Interactive bool
	// Color uses ANSI colours; only for terminals.
	Color bool
	// Clock, if set, is the bot's clock, which /clock +1d moves (clock.go).
	Clock *Clock
	// Deliver, if set, sends the notifications due now; it runs after every
	// line, and what it sends to other chats is printed as "→ to <name>".
	Deliver func(ctx context.Context) error
	// Names are the names of other chats, for those lines.
	Names map[int64]string
}

// Session is one terminal conversation.
type Session struct {
	opt     Options
	buttons []button // the buttons of the last keyboard shown, numbered from 1
}

type button struct {
	label     string
	messageID int
	data      string
	url       string
	location  bool // a reply keyboard button asking for the location
	replyText bool // a reply keyboard button that sends its label
}

// Run reads lines until end of input or /quit.
func Run(ctx context.Context, opt Options) error {
	s := &Session{opt: opt}
	s.intro()
	sc := bufio.NewScanner(opt.In)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for {
		if opt.Interactive {
			fmt.Fprint(opt.Out, s.color("\n> ", "1"))
		}
		if !sc.Scan() {
			break
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if !opt.Interactive {
			fmt.Fprintf(opt.Out, "\n> %s\n", line)
		}
		if line == "/quit" || line == "/exit" {
			break
		}
		if err := s.handle(ctx, line); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	return nil
}

func (s *Session) intro() {
	w := s.opt.Out
	fmt.Fprintln(w, s.color("netzbot demo: you are chatting with the bot as the Telegram user \""+s.opt.User.FirstName+"\".", "2"))
	fmt.Fprintln(w, s.color("Type a message, a number to press a button, /loc LAT LON to share a location, /quit to leave. Try /start.", "2"))
	if s.opt.Clock != nil {
		fmt.Fprintln(w, s.color("/clock +1d (or +2h, +30m) moves the bot's clock and shows the reminders members get.", "2"))
	}
}

var locRe = regexp.MustCompile(`^/loc(?:ation)?\s+(-?\d+(?:\.\d+)?)[,\s]+(-?\d+(?:\.\d+)?)$`)

// handle turns one input line into an update and prints the answer.
func (s *Session) handle(ctx context.Context, line string) error {
	var calls []telegramtest.Call
	var err error
	if s.opt.Clock != nil && (line == "/clock" || strings.HasPrefix(line, "/clock ")) {
		return s.clock(ctx, strings.TrimSpace(strings.TrimPrefix(line, "/clock")))
	}
	switch m := locRe.FindStringSubmatch(line); {
	case m != nil:
		lat, _ := strconv.ParseFloat(m[1], 64)
		lon, _ := strconv.ParseFloat(m[2], 64)
		calls, err = s.opt.Server.Share(ctx, s.opt.User, lat, lon)
	default:
		if b, ok := s.button(line); ok {
			switch {
			case b.url != "":
				fmt.Fprintf(s.opt.Out, "(opens %s)\n", b.url)
				return nil
			case b.location:
				fmt.Fprintln(s.opt.Out, "(type /loc LAT LON to share a location, e.g. /loc 50.9787 11.0328)")
				return nil
			case b.replyText:
				calls, err = s.opt.Server.Exchange(ctx, s.opt.User, b.label)
			default:
				calls, err = s.opt.Server.Press(ctx, s.opt.User, b.messageID, b.data)
			}
		} else {
			calls, err = s.opt.Server.Exchange(ctx, s.opt.User, line)
		}
	}
	if err != nil {
		return fmt.Errorf("talk to the bot: %w", err)
	}
	s.print(calls)
	return s.deliver(ctx, false)
}

// button finds the button a line means: its number or its label.
func (s *Session) button(line string) (button, bool) {
	if n, err := strconv.Atoi(line); err == nil {
		if n >= 1 && n <= len(s.buttons) {
			return s.buttons[n-1], true
		}
		return button{}, false
	}
	for _, b := range s.buttons {
		if strings.EqualFold(strings.TrimPrefix(b.label, "✅ "), strings.TrimPrefix(line, "✅ ")) {
			return b, true
		}
	}
	return button{}, false
}

// print shows what the bot did, numbering the buttons of the last keyboard.
func (s *Session) print(calls []telegramtest.Call) {
	w := s.opt.Out
	if len(calls) == 0 {
		fmt.Fprintln(w, s.color("(no answer)", "2"))
		return
	}
	for _, c := range calls {
		switch c.Method {
		case "sendMessage", "editMessageText":
			if c.Method == "editMessageText" {
				fmt.Fprintln(w, s.color("(message updated)", "2"))
			}
			fmt.Fprintln(w, PlainText(c.Text))
			s.keyboard(c)
		case "editMessageReplyMarkup":
			s.keyboard(c)
		case "answerCallbackQuery":
			if t, _ := c.Params["text"].(string); t != "" {
				fmt.Fprintln(w, s.color("(notice) "+t, "33"))
			}
		case "sendVenue":
			fmt.Fprintf(w, "📍 %v, %v (%v, %v)\n", c.Params["title"], c.Params["address"], c.Params["latitude"], c.Params["longitude"])
		case "sendLocation":
			fmt.Fprintf(w, "📍 (%v, %v)\n", c.Params["latitude"], c.Params["longitude"])
		case "sendDocument":
			if c.Document != nil {
				fmt.Fprintf(w, "📎 %s (%d bytes)\n", c.Document.Name, len(c.Document.Data))
			}
			if cap, _ := c.Params["caption"].(string); cap != "" {
				fmt.Fprintln(w, PlainText(cap))
			}
		case "deleteMessage":
		default:
			fmt.Fprintf(w, "(%s)\n", c.Method)
		}
	}
}

func (s *Session) keyboard(c telegramtest.Call) {
	w := s.opt.Out
	switch {
	case len(c.Keyboard) > 0:
		s.buttons = s.buttons[:0]
		for _, row := range c.Keyboard {
			var cells []string
			for _, b := range row {
				s.buttons = append(s.buttons, button{label: b.Text, messageID: c.MessageID, data: b.CallbackData, url: b.URL})
				cells = append(cells, fmt.Sprintf("[%d] %s", len(s.buttons), b.Text))
			}
			fmt.Fprintln(w, "  "+s.color(strings.Join(cells, "   "), "36"))
		}
	case len(c.ReplyKeyboard) > 0:
		s.buttons = s.buttons[:0]
		for _, row := range c.ReplyKeyboard {
			var cells []string
			for _, b := range row {
				s.buttons = append(s.buttons, button{label: b.Text, location: b.RequestLocation, replyText: !b.RequestLocation})
				cells = append(cells, fmt.Sprintf("[%d] %s", len(s.buttons), b.Text))
			}
			fmt.Fprintln(w, "  "+s.color(strings.Join(cells, "   "), "36"))
		}
	}
}

func (s *Session) color(text, code string) string {
	if !s.opt.Color {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

var tagRe = regexp.MustCompile(`<[^>]*>`)

// PlainText turns Telegram HTML into terminal text.
func PlainText(s string) string {
	return html.UnescapeString(tagRe.ReplaceAllString(s, ""))
}
