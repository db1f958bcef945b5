package main

import (
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/amplify"
	"github.com/aws/aws-sdk-go-v2/service/amplify/types"
)

// subDomainSummary renders subdomains as "prefix→branch dnsRecord verified"
// lines for comparison.
func subDomainSummary(subs []types.SubDomain) []string {
	var out []string
	for _, sd := range subs {
		var setting string
		if s := sd.SubDomainSetting; s != nil {
			setting = aws.ToString(s.Prefix) + "→" + aws.ToString(s.BranchName)
		}
		out = append(out, setting+" "+aws.ToString(sd.DnsRecord)+" "+strconv.FormatBool(aws.ToBool(sd.Verified)))
	}
	return out
}

// customDomains returns the customDomains of a branch.
func customDomains(t *testing.T, c *amplify.Client, appID, branch string) []string {
	t.Helper()
	out, err := c.GetBranch(t.Context(), &amplify.GetBranchInput{AppId: aws.String(appID), BranchName: aws.String(branch)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Branch.CustomDomains
}

// TestDomainAssociation walks a domain association through create, get,
// list, update and delete, and checks what branches report.
func TestDomainAssociation(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "domains")
	appID := *app.AppId
	createBranch(t, s.client, appID, "main")
	createBranch(t, s.client, appID, "dev")
	target := appID + ".localhost"

	out, err := s.client.CreateDomainAssociation(ctx, &amplify.CreateDomainAssociationInput{
		AppId: app.AppId, DomainName: aws.String("example.com"),
		SubDomainSettings: []types.SubDomainSetting{
			{Prefix: aws.String("www"), BranchName: aws.String("main")},
			{Prefix: aws.String(""), BranchName: aws.String("main")},
			{Prefix: aws.String("dev"), BranchName: aws.String("dev")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := out.DomainAssociation
	wantString(t, "domainName", d.DomainName, "example.com")
	wantString(t, "domainAssociationArn", d.DomainAssociationArn, appARN(appID)+"/domains/example.com")
	if d.DomainStatus != types.DomainStatusCreating {
		t.Errorf("domainStatus = %q, want CREATING", d.DomainStatus)
	}
	wantString(t, "statusReason", d.StatusReason, "")
	wantBool(t, "enableAutoSubDomain", d.EnableAutoSubDomain, false)
	wantSubs := []string{
		"www→main www CNAME " + target + " false",
		"→main  CNAME " + target + " false",
		"dev→dev dev CNAME " + target + " false",
	}
	if got := subDomainSummary(d.SubDomains); !slices.Equal(got, wantSubs) {
		t.Errorf("subDomains = %q, want %q", got, wantSubs)
	}
	if d.Certificate == nil || d.Certificate.Type != types.CertificateTypeAmplifyManaged {
		t.Errorf("certificate = %+v, want AMPLIFY_MANAGED", d.Certificate)
	}

	got, err := s.client.GetDomainAssociation(ctx, &amplify.GetDomainAssociationInput{AppId: app.AppId, DomainName: aws.String("example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := jsonDiff(d, got.DomainAssociation); diff != "" {
		t.Errorf("GetDomainAssociation differs from CreateDomainAssociation:\n%s", diff)
	}
	list, err := s.client.ListDomainAssociations(ctx, &amplify.ListDomainAssociationsInput{AppId: app.AppId})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.DomainAssociations) != 1 {
		t.Fatalf("ListDomainAssociations returned %d associations, want 1", len(list.DomainAssociations))
	}
	if diff := jsonDiff(d, &list.DomainAssociations[0]); diff != "" {
		t.Errorf("ListDomainAssociations differs from CreateDomainAssociation:\n%s", diff)
	}

	if got := customDomains(t, s.client, appID, "main"); !slices.Equal(got, []string{"www.example.com", "example.com"}) {
		t.Errorf("main's customDomains = %q, want [www.example.com example.com]", got)
	}
	if got := customDomains(t, s.client, appID, "dev"); !slices.Equal(got, []string{"dev.example.com"}) {
		t.Errorf("dev's customDomains = %q, want [dev.example.com]", got)
	}

	upd, err := s.client.UpdateDomainAssociation(ctx, &amplify.UpdateDomainAssociationInput{
		AppId: app.AppId, DomainName: aws.String("example.com"),
		SubDomainSettings: []types.SubDomainSetting{{Prefix: aws.String("docs"), BranchName: aws.String("dev")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := subDomainSummary(upd.DomainAssociation.SubDomains); !slices.Equal(got, []string{"docs→dev docs CNAME " + target + " false"}) {
		t.Errorf("subDomains after update = %q, want only docs→dev", got)
	}
	if got := customDomains(t, s.client, appID, "main"); len(got) != 0 {
		t.Errorf("main's customDomains after the update = %q, want []", got)
	}
	if got := customDomains(t, s.client, appID, "dev"); !slices.Equal(got, []string{"docs.example.com"}) {
		t.Errorf("dev's customDomains after the update = %q, want [docs.example.com]", got)
	}

	t.Run("update without subdomains keeps them", func(t *testing.T) {
		out, err := s.client.UpdateDomainAssociation(ctx, &amplify.UpdateDomainAssociationInput{
			AppId: app.AppId, DomainName: aws.String("example.com"), EnableAutoSubDomain: aws.Bool(true),
		})
		if err != nil {
			t.Fatal(err)
		}
		wantBool(t, "enableAutoSubDomain", out.DomainAssociation.EnableAutoSubDomain, true)
		if n := len(out.DomainAssociation.SubDomains); n != 1 {
			t.Errorf("%d subdomains, want the 1 set before", n)
		}
	})
	t.Run("custom certificate", func(t *testing.T) {
		arn := "arn:aws:acm:us-east-1:" + testAccount + ":certificate/abc"
		out, err := s.client.UpdateDomainAssociation(ctx, &amplify.UpdateDomainAssociationInput{
			AppId: app.AppId, DomainName: aws.String("example.com"),
			CertificateSettings: &types.CertificateSettings{Type: types.CertificateTypeCustom, CustomCertificateArn: aws.String(arn)},
		})
		if err != nil {
			t.Fatal(err)
		}
		c := out.DomainAssociation.Certificate
		if c == nil || c.Type != types.CertificateTypeCustom || aws.ToString(c.CustomCertificateArn) != arn {
			t.Errorf("certificate = %+v, want CUSTOM %s", c, arn)
		}
	})

	bad := []struct {
		name string
		in   *amplify.CreateDomainAssociationInput
		want string
	}{
		{"duplicate", &amplify.CreateDomainAssociationInput{DomainName: aws.String("example.com")}, "BadRequestException"},
		{"duplicate in another case", &amplify.CreateDomainAssociationInput{DomainName: aws.String("EXAMPLE.com")}, "BadRequestException"},
		{"unknown branch", &amplify.CreateDomainAssociationInput{
			DomainName:        aws.String("other.example.org"),
			SubDomainSettings: []types.SubDomainSetting{{Prefix: aws.String("www"), BranchName: aws.String("nope")}},
		}, "NotFoundException"},
		{"custom certificate without ARN", &amplify.CreateDomainAssociationInput{
			DomainName:          aws.String("cert.example.org"),
			CertificateSettings: &types.CertificateSettings{Type: types.CertificateTypeCustom},
		}, "BadRequestException"},
		{"repeated prefix", &amplify.CreateDomainAssociationInput{
			DomainName: aws.String("twice.example.org"),
			SubDomainSettings: []types.SubDomainSetting{
				{Prefix: aws.String("www"), BranchName: aws.String("main")},
				{Prefix: aws.String("www"), BranchName: aws.String("dev")},
			},
		}, "BadRequestException"},
		{"malformed domain", &amplify.CreateDomainAssociationInput{DomainName: aws.String("not a domain")}, "BadRequestException"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.AppId = app.AppId
			if tc.in.SubDomainSettings == nil {
				tc.in.SubDomainSettings = []types.SubDomainSetting{{Prefix: aws.String("www"), BranchName: aws.String("main")}}
			}
			_, err := s.client.CreateDomainAssociation(ctx, tc.in)
			switch tc.want {
			case "BadRequestException":
				wantError[*types.BadRequestException](t, err)
			case "NotFoundException":
				wantError[*types.NotFoundException](t, err)
			}
		})
	}
	t.Run("unknown app", func(t *testing.T) {
		_, err := s.client.CreateDomainAssociation(ctx, &amplify.CreateDomainAssociationInput{
			AppId: aws.String("dnosuchapp0000"), DomainName: aws.String("example.net"),
			SubDomainSettings: []types.SubDomainSetting{{Prefix: aws.String("www"), BranchName: aws.String("main")}},
		})
		wantError[*types.NotFoundException](t, err)
	})
	t.Run("update of an unknown branch", func(t *testing.T) {
		_, err := s.client.UpdateDomainAssociation(ctx, &amplify.UpdateDomainAssociationInput{
			AppId: app.AppId, DomainName: aws.String("example.com"),
			SubDomainSettings: []types.SubDomainSetting{{Prefix: aws.String("www"), BranchName: aws.String("nope")}},
		})
		wantError[*types.NotFoundException](t, err)
	})

	del, err := s.client.DeleteDomainAssociation(ctx, &amplify.DeleteDomainAssociationInput{AppId: app.AppId, DomainName: aws.String("example.com")})
	if err != nil {
		t.Fatal(err)
	}
	wantString(t, "deleted domainName", del.DomainAssociation.DomainName, "example.com")
	_, err = s.client.GetDomainAssociation(ctx, &amplify.GetDomainAssociationInput{AppId: app.AppId, DomainName: aws.String("example.com")})
	wantError[*types.NotFoundException](t, err)
	_, err = s.client.DeleteDomainAssociation(ctx, &amplify.DeleteDomainAssociationInput{AppId: app.AppId, DomainName: aws.String("example.com")})
	wantError[*types.NotFoundException](t, err)
	if got := customDomains(t, s.client, appID, "dev"); len(got) != 0 {
		t.Errorf("dev's customDomains after the delete = %q, want []", got)
	}
}

// TestListDomainAssociations walks ListDomainAssociations to exhaustion.
func TestListDomainAssociations(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "list-domains")
	createBranch(t, s.client, *app.AppId, "main")
	var want []string
	for i := range 5 {
		name := "site" + strconv.Itoa(i) + ".example.com"
		if _, err := s.client.CreateDomainAssociation(ctx, &amplify.CreateDomainAssociationInput{
			AppId: app.AppId, DomainName: aws.String(name),
			SubDomainSettings: []types.SubDomainSetting{{Prefix: aws.String("www"), BranchName: aws.String("main")}},
		}); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}
	t.Run("maxResults 1", func(t *testing.T) {
		got := pageAll(t, func(token *string) ([]string, *string, error) {
			out, err := s.client.ListDomainAssociations(ctx, &amplify.ListDomainAssociationsInput{AppId: app.AppId, MaxResults: 1, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			var names []string
			for _, d := range out.DomainAssociations {
				names = append(names, aws.ToString(d.DomainName))
			}
			return names, out.NextToken, nil
		})
		wantSameItems(t, "ListDomainAssociations", got, want)
	})
	t.Run("paginator", func(t *testing.T) {
		p := amplify.NewListDomainAssociationsPaginator(s.client, &amplify.ListDomainAssociationsInput{AppId: app.AppId, MaxResults: 2})
		var got []string
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range out.DomainAssociations {
				got = append(got, aws.ToString(d.DomainName))
			}
		}
		wantSameItems(t, "ListDomainAssociations paginator", got, want)
	})
	t.Run("maxResults 51", func(t *testing.T) {
		_, err := s.client.ListDomainAssociations(ctx, &amplify.ListDomainAssociationsInput{AppId: app.AppId, MaxResults: 51})
		wantError[*types.BadRequestException](t, err)
	})
	t.Run("unknown app", func(t *testing.T) {
		_, err := s.client.ListDomainAssociations(ctx, &amplify.ListDomainAssociationsInput{AppId: aws.String("dnosuchapp0000")})
		wantCode(t, err, "NotFoundException", 404)
	})
}

// TestGenerateAccessLogs is in e2e_accesslogs_test.go.

// TestDeleteBranchDropsSubDomains checks that deleting a branch removes the
// subdomains that served it and leaves the others.
func TestDeleteBranchDropsSubDomains(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := t.Context()
	app := createApp(t, s.client, "drop-subdomains")
	createBranch(t, s.client, *app.AppId, "main")
	createBranch(t, s.client, *app.AppId, "dev")
	if _, err := s.client.CreateDomainAssociation(ctx, &amplify.CreateDomainAssociationInput{
		AppId: app.AppId, DomainName: aws.String("example.org"),
		SubDomainSettings: []types.SubDomainSetting{
			{Prefix: aws.String("www"), BranchName: aws.String("main")},
			{Prefix: aws.String("dev"), BranchName: aws.String("dev")},
		},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.DeleteBranch(ctx, &amplify.DeleteBranchInput{AppId: app.AppId, BranchName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	out, err := s.client.GetDomainAssociation(ctx, &amplify.GetDomainAssociationInput{AppId: app.AppId, DomainName: aws.String("example.org")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"www→main www CNAME " + *app.AppId + ".localhost false"}
	if got := subDomainSummary(out.DomainAssociation.SubDomains); !slices.Equal(got, want) {
		t.Errorf("subDomains after deleting dev = %q, want %q", got, want)
	}
}
