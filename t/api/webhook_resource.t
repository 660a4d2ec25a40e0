# Webhook, the third entity (issue 20, slice B; README "Webhooks",
# "Managing webhooks"): GET Webhook/default, POST, GET|PUT|PATCH|DELETE
# Webhook/{id} and GET Webhook with its filters, through the same planner
# as sessions; admin only (403 for update_all, read, none, nothing
# changed); Secret write-only (never rendered, not selectable, not
# testable, kept by a PUT without it, a write of it always a change, not
# in error_log); the JSON fields round-trip; every bad input a 400 naming
# the field with the version unchanged; ETag and 412; XML; and no outbox
# row from a webhook's own writes (only chat sessions are captured).
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body db make_caller);
use ChatSession::Receiver ();
use JSON::PP ();

plan tests => 150, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/Webhook';
my $T = JSON::PP::true;
my %C = (
    wr_admin => make_caller('wr_admin', level => 'admin'),
    wr_all   => make_caller('wr_all', level => 'update_all'),
    wr_read  => make_caller('wr_read', level => 'read'),
    wr_none  => make_caller('wr_none', level => 'none'),
);
sub as { my $u = shift; return (auth => $C{$u}{auth}) }

my $dbh = db();
my $NAME = 'webhook_resource.t';
# Webhooks made through the API have the sequence's ids: removed here.
sub clear { $dbh->do('DELETE FROM chats_webhook WHERE name LIKE ?', undef,
                     "$NAME%") }
clear();
END { clear() if $dbh }

sub version_of {
    return $dbh->selectrow_array(
        'SELECT version FROM chats_webhook WHERE id = ?', undef, shift);
}
sub secret_of {
    return $dbh->selectrow_array(
        'SELECT secret FROM chats_webhook WHERE id = ?', undef, shift);
}
my ($outbox_seen) = $dbh->selectrow_array(
    'SELECT coalesce(max(id), 0) FROM chats_webhook_outbox');

# ---- default ----------------------------------------------------------------
my $res = req(GET => "$BASE/default", as('wr_admin'));
is($res->code, 200, 'GET Webhook/default: 200') or diag($res->content);
my $tpl = json_body($res);
is($tpl->{WebhookId}, 0, 'template: WebhookId 0');
is($tpl->{State}, 'Active', 'template: State Active, by name');
is($tpl->{Type}, 'webhook', 'template: Type webhook');
is_deeply([$tpl->{Events}, $tpl->{Headers}, $tpl->{Properties}],
          [[], {}, {}], 'template: Events [], Headers {}, Properties {}');
is($tpl->{NotifyVia}, 'None', 'template: flags 0 as None');
ok(!exists $tpl->{Secret}, 'template: no Secret');
ok(!exists $tpl->{TableRight} && !exists $tpl->{FieldProperties},
   'no TableRight, no FieldProperties (no Carrier)');

# ---- POST -------------------------------------------------------------------
# An Active webhook is tested when created (t/api/webhook_ops.t): this one
# posts to a real receiver, so that its test event gets a 200.
my $rx = ChatSession::Receiver->start(tls => 0);
my $SECRET = 'wr-s3cret-' . $$;
my %hook = (
    Name => "$NAME A", TargetUrl => $rx->url('http', '/wr-hook'),
    Events => ['chatsession.changed', 'chatsession.message'],
    Secret => $SECRET, Headers => { 'X-Tenant' => 'acme' },
    Properties => { a => 1, b => { c => [$T, 'x'] } },
    ErrorEmails => ['ops@example.com'],
    ErrorAssociates => [{ Id => 5, Name => 'tje0' }],
    Description => 'posted', NotifyVia => 'Email, InApp',
);
$res = req(POST => $BASE, as('wr_admin'), body => \%hook);
is($res->code, 200, 'POST Webhook: 200') or diag($res->content);
my $w = json_body($res);
my $ID = $w->{WebhookId};
ok($ID && $ID > 0, "POST: a WebhookId ($ID)");
like($res->header('Location') // '', qr{/api/v1/Webhook/\Q$ID\E$},
     'POST: Location');
like($res->header('ETag') // '', qr/^"\d+"$/, 'POST: ETag');
ok(!exists $w->{Secret}, 'POST: the answer has no Secret');
is(secret_of($ID), $SECRET, '... and the row has it');
is_deeply([@$w{qw(Events Headers Properties ErrorEmails ErrorAssociates)}],
          [@hook{qw(Events Headers Properties ErrorEmails ErrorAssociates)}],
          'POST: the JSON fields as sent');
is($w->{NotifyVia}, 'Email, InApp', 'POST: NotifyVia by names');
is($w->{State}, 'Active', 'POST: State left out is the default, Active');
is($w->{Type}, 'webhook', 'POST: Type left out is webhook');
is($w->{RegisteredAssociate}{AssociateId}, $C{wr_admin}{id},
   'RegisteredAssociate: the caller');
is($w->{UpdatedAssociate}{AssociateId}, $C{wr_admin}{id},
   'UpdatedAssociate: the caller');
like($w->{Registered} // '', qr/^\d{4}-\d\d-\d\dT/, 'Registered is set');
is($w->{TotalCalls}, 0, 'TotalCalls 0');
like($w->{_Links}{Self} // '', qr{/Webhook/\Q$ID\E$}, '_Links Self');

# ---- rights: admin only -------------------------------------------------------
for my $u (qw(wr_all wr_read wr_none)) {
    my %r = (
        'GET default' => req(GET => "$BASE/default", as($u)),
        'GET list'    => req(GET => $BASE, as($u)),
        'GET {id}'    => req(GET => "$BASE/$ID", as($u)),
        'POST'        => req(POST => $BASE, as($u),
                             body => { %hook, Name => "$NAME denied" }),
        'PATCH'       => req(PATCH => "$BASE/$ID", as($u),
                             body => { Name => 'no' }),
        'DELETE'      => req(DELETE => "$BASE/$ID", as($u)),
    );
    is(join(' ', map { "$_=" . $r{$_}->code } sort keys %r),
       join(' ', map { "$_=403" } sort keys %r), "$u: 403 everywhere");
    like(json_body($r{'GET {id}'})->{ErrorMessage} // '',
         qr/may not read webhooks/, "$u: the 403 says what is missing");
}
is($dbh->selectrow_array('SELECT count(*) FROM chats_webhook WHERE name = ?',
                         undef, "$NAME denied"), 0, 'a denied POST made none');
is(version_of($ID), 1, 'a denied PATCH or DELETE changed nothing');

# ---- GET, $select -------------------------------------------------------------
$res = req(GET => "$BASE/$ID", as('wr_admin'));
is($res->code, 200, 'GET Webhook/{id}: 200');
my $got = json_body($res);
ok(!exists $got->{Secret}, 'GET: no Secret');
is_deeply({ %$got, _Links => 0 }, { %$w, _Links => 0 },
          'GET: as POST answered');
my $etag = $res->header('ETag');
$res = req(GET => "$BASE/$ID?\$select=Name,Events", as('wr_admin'));
$got = json_body($res);
ok($res->code == 200 && $got->{Name} eq "$NAME A"
   && !defined $got->{TargetUrl}, '$select=Name,Events: others null');
$res = req(GET => "$BASE/$ID?\$select=Name,Secret", as('wr_admin'));
is($res->code, 400, '$select=Secret: 400');
is(json_body($res)->{Field}, 'Secret', '... naming Secret');
like(json_body($res)->{ErrorMessage}, qr/write-only/, '... write-only');

# ---- PUT: a Secret left out is kept; server fields ignored ------------------
my $v = version_of($ID);
my %put = (%$w, Description => 'put', TotalCalls => 99,
           Registered => '2001-01-01T00:00:00Z');
delete @put{qw(_Links)};
$res = req(PUT => "$BASE/$ID", as('wr_admin'), body => \%put);
is($res->code, 200, 'PUT without Secret: 200') or diag($res->content);
$got = json_body($res);
is($got->{Description}, 'put', 'PUT: Description replaced');
is(secret_of($ID), $SECRET, 'PUT without Secret: the secret is kept');
is($got->{TotalCalls}, 0, 'PUT: TotalCalls (kept by the server) ignored');
is($got->{Registered}, $w->{Registered}, 'PUT: Registered ignored');
is(version_of($ID), $v + 1, 'PUT: one version');

# ---- PATCH: Secret, JSON fields ---------------------------------------------
my $bad_patch = sub {
    my ($body, $field, $name, $ct) = @_;
    my $before = version_of($ID);
    my $r = req(PATCH => "$BASE/$ID", as('wr_admin'), body => $body,
                $ct ? (content_type => $ct) : ());
    my $doc = json_body($r) || {};
    is($r->code, 400, "$name: 400") or diag($r->content);
    is($doc->{Field}, $field, "$name: names $field");
    is(version_of($ID), $before, "$name: nothing changed");
    return $doc;
};
my $doc = $bad_patch->([{ op => 'test', path => '/Secret', value => $SECRET }],
                       'Secret', 'test /Secret');
like($doc->{ErrorMessage}, qr/write-only/, '... says write-only');
# (copy and move are refused whatever they read: the op is named)
$bad_patch->([{ op => 'copy', from => '/Secret', path => '/Description' }],
             'op', 'copy from /Secret');
$bad_patch->([{ op => 'add', path => '/Headers/X-Foo', value => 'x' }],
             'Headers', 'a path below Headers');
$bad_patch->([{ op => 'replace', path => '/TotalCalls', value => 5 }],
             'TotalCalls', 'replace /TotalCalls');

$v = version_of($ID);
$res = req(PATCH => "$BASE/$ID", as('wr_admin'), body => [
    { op => 'test', path => '/Properties',
      value => { b => { c => [$T, 'x'] }, a => 1.0 } },
    { op => 'replace', path => '/Events', value => ['chatsession.created'] },
    { op => 'replace', path => '/Headers',
      value => { 'X-Tenant' => 'acme', 'X-Two' => '2' } },
    { op => 'replace', path => '/Name', value => "$NAME A2" },
]);
is($res->code, 200, 'JSON Patch: test of an object (member order, 1.0) '
   . 'passes, whole fields replaced') or diag($res->content);
$got = json_body($res);
is_deeply([$got->{Events}, $got->{Headers}],
          [['chatsession.created'], { 'X-Tenant' => 'acme', 'X-Two' => '2' }],
          'JSON Patch: Events and Headers as replaced');
$res = req(PATCH => "$BASE/$ID", as('wr_admin'), body => [
    { op => 'test', path => '/Events', value => ['chatsession.changed'] } ]);
is($res->code, 409, 'test of a JSON field with another value: 409');
$res = req(PATCH => "$BASE/$ID", as('wr_admin'),
           body => { Headers => { 'X-Three' => '3' }, Properties => undef },
           content_type => 'application/merge-patch+json');
is($res->code, 200, 'merge patch: 200') or diag($res->content);
$got = json_body($res);
is_deeply([$got->{Headers}, $got->{Properties}], [{ 'X-Three' => '3' }, {}],
          'merge patch: a JSON field replaced whole, null empties it');

$v = version_of($ID);
for my $i (1, 2) {
    $res = req(PATCH => "$BASE/$ID", as('wr_admin'),
               body => { Secret => "$SECRET-new" },
               content_type => 'application/merge-patch+json');
    is($res->code, 200, "merge patch of Secret ($i): 200");
    is(version_of($ID), $v + $i, "... a write of the secret is a change ($i)");
}
is(secret_of($ID), "$SECRET-new", 'the new secret is stored');
ok(!exists json_body($res)->{Secret}, '... and not answered');

# ---- every bad value: 400 naming the field, nothing changed ------------------
my @bad = (
    [TargetUrl => 'ftp://receiver.invalid/x'],
    [TargetUrl => 'https://user:pw@receiver.invalid/'],
    [TargetUrl => 'https://receiver.invalid/#frag'],
    [TargetUrl => 'receiver.invalid'],
    [Type => 'crmscript'],
    [Events => ['ChatSession.Changed']],
    [Events => 'chatsession.changed'],
    [Events => [1]],
    [State => 'Running'],
    [NotifyVia => 'Pigeon'],
    [Name => 'x' x 256],
    [Properties => []],
    [ErrorEmails => [{}]],
    [ErrorAssociates => {}],
);
for my $b (@bad) {
    my ($f, $val) = @$b;
    my $shown = ref $val ? JSON::PP->new->canonical->encode($val) : $val;
    $bad_patch->({ $f => $val }, $f, "$f = " . substr($shown, 0, 40),
                 'application/merge-patch+json');
}
$bad_patch->({ Headers => { 'X-SuperOffice-Event' => 'forged' } },
             'Headers/X-SuperOffice-Event', 'a header the module sets',
             'application/merge-patch+json');
$bad_patch->({ Headers => { 'X-Ok' => 5 } }, 'Headers/X-Ok',
             'a header value that is no string',
             'application/merge-patch+json');
$bad_patch->({ Headers => { 'X-Ok' => "a\r\nX-Evil: 1" } }, 'Headers/X-Ok',
             'a header value with CR LF', 'application/merge-patch+json');

$res = req(POST => $BASE, as('wr_admin'),
           body => { Name => "$NAME no target", Events => ['test'] });
is($res->code, 400, 'POST without TargetUrl: 400');
is(json_body($res)->{Field}, 'TargetUrl', '... naming TargetUrl');

# ---- ETag, If-Match ----------------------------------------------------------
$v = version_of($ID);
$res = req(PATCH => "$BASE/$ID", as('wr_admin'),
           body => [{ op => 'replace', path => '/Description', value => 'x' }],
           headers => { 'If-Match' => '"1"' });
is($res->code, 412, 'PATCH with a stale If-Match: 412');
is(version_of($ID), $v, '... nothing changed');
$etag = req(GET => "$BASE/$ID", as('wr_admin'))->header('ETag');
$res = req(PATCH => "$BASE/$ID", as('wr_admin'),
           body => [{ op => 'replace', path => '/Description', value => 'x' }],
           headers => { 'If-Match' => $etag });
is($res->code, 200, 'PATCH with the current ETag: 200');

# ---- the list and its filters -------------------------------------------------
$res = req(POST => $BASE, as('wr_admin'), body => {
    Name => "$NAME B", TargetUrl => 'http://receiver.invalid/b',
    Events => ['chatsession.message'], State => 'Stopped' });
is($res->code, 200, 'POST a second webhook (http://, Stopped)')
    or diag($res->content);
my $ID2 = json_body($res)->{WebhookId};
my $ids = sub {       # ours among the listed, in order
    my $r = shift;
    my $list = json_body($r);
    return 'not a list: ' . $r->code . ' ' . $r->content
        unless ref $list eq 'ARRAY';
    return join ',', map { $_->{WebhookId} == $ID ? 'A' : 'B' }
                     grep { $_->{Name} =~ /^\Q$NAME\E/ } @$list;
};
my %lists = (
    ''                               => 'A,B',
    "?name=$NAME%20B"                => 'B',
    "?nameFilter=$NAME%20A2"         => 'A',
    '?event=chatsession.message'     => 'B',
    '?eventFilter=chatsession.created' => 'A',
    '?status=Stopped'                => 'B',
    '?statusFilter=2'                => 'B',
    '?status=active'                 => 'A',
    '?status=Unknown'                => 'A,B',
    '?status=0'                      => 'A,B',
    '?name=&status='                 => 'A,B',
);
for my $q (sort keys %lists) {
    is($ids->(req(GET => "$BASE$q", as('wr_admin'))), $lists{$q},
       "GET Webhook$q: $lists{$q}");
}
$res = req(GET => $BASE, as('wr_admin'));
my ($one) = grep { $_->{WebhookId} == $ID } @{ json_body($res) || [] };
ok($one && !exists $one->{Secret} && !exists $one->{_Links},
   'a listed webhook: no Secret, no _Links');
$res = req(GET => "$BASE?status=Bogus", as('wr_admin'));
is($res->code, 400, 'status=Bogus: 400');
is(json_body($res)->{Field}, 'status', '... naming status');
$res = req(GET => "$BASE?name=a&nameFilter=b", as('wr_admin'));
is($res->code, 400, 'name and nameFilter both: 400');

# ---- XML ------------------------------------------------------------------------
$res = req(GET => "$BASE/$ID", as('wr_admin'),
           headers => { Accept => 'application/xml' });
is($res->code, 200, 'GET in XML: 200');
like($res->content, qr{<Webhook\b.*<Name>\Q$NAME\E A2</Name>}s,
     'XML: a Webhook element with its Name');
unlike($res->content, qr/Secret|\Q$SECRET\E/, 'XML: no Secret');

# ---- no event from a webhook's own writes ----------------------------------------
is($dbh->selectrow_array('SELECT count(*) FROM chats_webhook_outbox WHERE '
                         . 'id > ?', undef, $outbox_seen), 0,
   "a webhook's writes captured no event");

# ---- DELETE -------------------------------------------------------------------------
$res = req(DELETE => "$BASE/$ID2", as('wr_admin'));
is($res->code, 204, 'DELETE: 204');
$res = req(GET => "$BASE/$ID2", as('wr_admin'));
is($res->code, 404, 'GET after DELETE: 404');
like(json_body($res)->{ErrorMessage}, qr/^Webhook id \Q$ID2\E not found/,
     '... naming the webhook');
$res = req(GET => "$BASE/abc", as('wr_admin'));
is($res->code, 400, 'Webhook/abc: 400');
like(json_body($res)->{ErrorMessage}, qr/not a webhook id/,
     '... names the webhook id');

# ---- the secret is never logged --------------------------------------------------
my $log = Apache::Test::vars('t_logs') . '/error_log';
open my $fh, '<', $log or die "$log: $!";
my $text = do { local $/; <$fh> };
unlike($text, qr/\Q$SECRET\E/, 'error_log never holds the secret');
