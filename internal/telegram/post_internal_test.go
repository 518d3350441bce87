package telegram

import (
	"encoding/json"
	"reflect"
	"testing"
)

// jsonAnswer is how post decoded answers with encoding/json: the reference
// for decodeAnswer.
func jsonAnswer(data []byte, result any) (answer, error) {
	var r struct {
		OK          bool   `json:"ok"`
		Result      any    `json:"result"`
		ErrorCode   int    `json:"error_code"`
		Description string `json:"description"`
		Parameters  struct {
			RetryAfter      int `json:"retry_after"`
			MigrateToChatID int `json:"migrate_to_chat_id"`
		} `json:"parameters"`
	}
	r.Result = result
	err := json.Unmarshal(data, &r)
	return answer{OK: r.OK, ErrorCode: r.ErrorCode, Description: r.Description,
		RetryAfter: r.Parameters.RetryAfter, MigrateToChatID: r.Parameters.MigrateToChatID}, err
}

func TestDecodeAnswerAsEncodingJSON(t *testing.T) {
	message := `{"ok":true,"result":{"message_id":42,"from":{"id":1,"is_bot":true,"first_name":"netzbot"},` +
		`"chat":{"id":-100123456789,"type":"private","first_name":"\u0639\u0644\u064a"},"date":1764028800,` +
		`"text":"Deutschkurs \u003cb\u003e \"quoted\" \\ \ud83d\ude00","entities":[{"type":"bold","offset":0,"length":11}],` +
		`"reply_markup":{"inline_keyboard":[[{"text":"1","callback_data":"of:1"}],[{"text":"\u2190","callback_data":"bk"}]]}}}`
	for _, body := range []string{
		message,
		`{"ok":true,"result":{"message_id":7,"date":1,"chat":{"id":5,"type":"group"}}}`,
		`{"ok":true,"result":{"message_id":7}}`,
		`{"result":{"message_id":7},"ok":true}`,
		`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`,
		`{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}}`,
		`{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user \u00e4"}`,
		` { "ok" : true , "result" : { "message_id" : 9 } } `,
	} {
		var want, got posted
		wa, werr := jsonAnswer([]byte(body), &want)
		ga, gerr := decodeAnswer([]byte(body), &got)
		if (werr == nil) != (gerr == nil) || wa != ga || !reflect.DeepEqual(want, got) {
			t.Errorf("%s:\n got %+v %+v %v\nwant %+v %+v %v", body, ga, got, gerr, wa, want, werr)
		}
	}
	for _, body := range []string{`{"ok":true,"result":true}`, `{"ok":true,"result":false}`, `{"ok":true,"result":"yes"}`} {
		var want, got bool
		wa, werr := jsonAnswer([]byte(body), &want)
		ga, gerr := decodeAnswer([]byte(body), &got)
		if (werr == nil) != (gerr == nil) || wa != ga || want != got {
			t.Errorf("%s: got %+v %v %v, want %+v %v %v", body, ga, got, gerr, wa, want, werr)
		}
	}
	for _, body := range []string{``, `not json`, `[1]`, `{"ok":true,"result":[1]}`, `{"ok":true`} {
		var got posted
		if _, err := decodeAnswer([]byte(body), &got); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
}
