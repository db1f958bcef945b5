package sandbox

import (
	"testing"

	"github.com/pier-hosting/pier/netguard"
)

func TestScratch(t *testing.T) {
	pol, _ := netguard.New(nil)
	ws := workspace(t, nobody, nobody)
	out, err := runScript(t.Context(), t, &Bubblewrap{Writable: []string{ws}, Egress: pol}, ws, `ls -l /proc/self/fd; env | grep -i proxy; exec 3<>/dev/tcp/127.0.0.1/3128; printf 'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n\r\n' >&3; head -c 300 <&3`, Limits{})
	t.Logf("%v\n%s", err, out)
}
