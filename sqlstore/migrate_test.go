package sqlstore

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestReadMigrations(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("SELECT 1;")}
	for _, tt := range []struct {
		name    string
		files   []string
		want    []migration
		wantErr bool
	}{
		{name: "Empty"},
		{
			name:  "VersionOrder",
			files: []string{"0010_ten.sql", "0002_two.sql", "0001_init.sql", "README.md"},
			want:  []migration{{1, "0001_init.sql"}, {2, "0002_two.sql"}, {10, "0010_ten.sql"}},
		},
		{name: "NoVersion", files: []string{"init.sql"}, wantErr: true},
		{name: "BadVersion", files: []string{"v1_init.sql"}, wantErr: true},
		{name: "SameVersion", files: []string{"0001_init.sql", "1_again.sql"}, wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, name := range tt.files {
				fsys[name] = file
			}
			got, err := readMigrations(fsys)
			if (err != nil) != tt.wantErr {
				t.Fatalf("readMigrations: error %v, want error: %t", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(migration{})); diff != "" {
				t.Errorf("migrations (-want +got):\n%s", diff)
			}
		})
	}
}
