package storetest

import (
	"testing"

	"github.com/pier-hosting/pier"
)

var accountTests = []test{
	{"RoundTrip", func(t *testing.T, f *fixture) {
		a := &pier.Account{ID: "333333333333", CreateTime: t1}
		checkComplete(t, a)
		f.check(f.s.CreateAccount(f.ctx, a))
		got, err := f.s.GetAccount(f.ctx, a.ID)
		f.check(err)
		wantEqual(t, "account", got, a)
	}},
	{"CreateTaken", func(t *testing.T, f *fixture) {
		err := f.s.CreateAccount(f.ctx, &pier.Account{ID: accountA, CreateTime: t1})
		wantCode(t, err, pier.ECONFLICT)
		got, err := f.s.GetAccount(f.ctx, accountA)
		f.check(err)
		wantEqual(t, "account", got, &pier.Account{ID: accountA, CreateTime: t0})
	}},
	{"GetUnknown", func(t *testing.T, f *fixture) {
		_, err := f.s.GetAccount(f.ctx, "999999999999")
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"AccessKeyRoundTrip", func(t *testing.T, f *fixture) {
		k := &pier.AccessKey{ID: "AKIAEXAMPLE", Secret: "s3cr3t", AccountID: accountA, CreateTime: t1}
		checkComplete(t, k)
		f.check(f.s.CreateAccessKey(f.ctx, k))
		got, err := f.s.GetAccessKey(f.ctx, k.ID)
		f.check(err)
		wantEqual(t, "access key", got, k)
	}},
	{"AccessKeyTaken", func(t *testing.T, f *fixture) {
		k := &pier.AccessKey{ID: "AKIAEXAMPLE", Secret: "a", AccountID: accountA, CreateTime: t0}
		f.check(f.s.CreateAccessKey(f.ctx, k))
		err := f.s.CreateAccessKey(f.ctx, &pier.AccessKey{ID: k.ID, Secret: "b", AccountID: accountB, CreateTime: t1})
		wantCode(t, err, pier.ECONFLICT)
		got, err := f.s.GetAccessKey(f.ctx, k.ID)
		f.check(err)
		wantEqual(t, "access key", got, k)
	}},
	{"AccessKeyUnknownAccount", func(t *testing.T, f *fixture) {
		err := f.s.CreateAccessKey(f.ctx, &pier.AccessKey{ID: "AKIAEXAMPLE", Secret: "a", AccountID: "999999999999"})
		wantCode(t, err, pier.ENOTFOUND)
		_, err = f.s.GetAccessKey(f.ctx, "AKIAEXAMPLE")
		wantCode(t, err, pier.ENOTFOUND)
	}},
	{"AccessKeyGetUnknown", func(t *testing.T, f *fixture) {
		_, err := f.s.GetAccessKey(f.ctx, "AKIAUNKNOWN")
		wantCode(t, err, pier.ENOTFOUND)
	}},
}
