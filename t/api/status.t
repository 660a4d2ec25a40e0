# The counters (README "Monitoring"): SetHandler chatsession-status in
# Prometheus' text format, and the same figures on mod_status' page.
# Requests of known kinds move their counters by exactly what was sent
# (nothing else runs during a test file); a second httpd whose children
# each serve one connection and are replaced (MaxConnectionsPerChild 1)
# shows that the counts are the server's, not one process's, and that
# they survive recycled children and a graceful restart.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session second_httpd
                         stop_second_httpd fresh_id);
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(sleep time);

plan tests => 36, need_lwp, need_module('mod_dbd.c');

# name{labels} -> value, from a Prometheus text answer.
sub parse {
    my ($text) = @_;
    my (%m, %help, %type, @bad);
    for my $line (split /\n/, $text) {
        if ($line =~ /^# HELP (\S+) \S/) { $help{$1} = 1; next }
        if ($line =~ /^# TYPE (\S+) (counter|histogram|gauge)$/) { $type{$1} = $2; next }
        if ($line =~ /^([a-z_]+)(\{[a-z]+="[^"]*"(?:,[a-z]+="[^"]*")*\})? ([0-9]+(?:\.[0-9]+)?)$/) {
            $m{$1 . ($2 // '')} = $3;
            next;
        }
        push @bad, $line;
    }
    return (\%m, \%help, \%type, \@bad);
}

sub scrape {
    my ($base) = @_;
    my $res = req(GET => ($base // '') . '/chatsession-status', auth => undef);
    die 'scrape: ' . $res->status_line . "\n" unless $res->code == 200;
    my ($m) = parse($res->content);
    return $m;
}

sub delta {
    my ($before, $after, $key) = @_;
    return ($after->{$key} // 0) - ($before->{$key} // 0);
}

sub reqs { sprintf 'chatsession_requests_total{method="%s",code="%d"}', @_ }
sub auth { sprintf 'chatsession_auth_failures_total{scheme="%s"}', @_ }

my $ID = fresh_id();    # a row of its own: 844 is the demo's, read-only
seed_session($ID);

# ---- the format ---------------------------------------------------------
my $res = req(GET => '/chatsession-status', auth => undef);
is($res->code, 200, 'status handler answers without credentials (Require ip)');
is($res->header('Content-Type'), 'text/plain; version=0.0.4; charset=utf-8',
   'Prometheus text format 0.0.4');
my ($m0, $help, $type, $bad) = parse($res->content);
is_deeply($bad, [], 'every line is a comment or a sample');
is_deeply([sort grep { !$help->{$_} } keys %$type], [],
          'every family has its HELP and TYPE');
is($type->{chatsession_request_duration_seconds}, 'histogram',
   'latency is a histogram');
is(req(POST => '/chatsession-status', auth => undef, body => '{}')->code,
   405, 'POST to the status handler: 405');

# ---- requests of known kinds --------------------------------------------
my $before = scrape();
my $sent = 0;
my @codes;
for (1 .. 3) {
    push @codes, req(GET => "/api/v1/ChatSession/$ID")->code;
}
push @codes, req(HEAD => "/api/v1/ChatSession/$ID")->code;
push @codes, req(GET => '/api/v1/ChatSession/2147483000')->code;
push @codes, req(GET => "/api/v1/ChatSession/$ID", auth => undef)->code;
push @codes, req(GET => "/api/v1/ChatSession/$ID", auth => ['tje0', 'wrong'])->code;
push @codes, req(GET => "/api/v1/ChatSession/$ID",
                 authorization => 'Bearer not.a.token')->code;
push @codes, req(GET => "/api/v1/ChatSession/$ID",
                 authorization => 'SoTicket 7T:nonsense')->code;
push @codes, req(PATCH => "/api/v1/ChatSession/$ID",
                 body => [{ op => 'replace', path => '/Rating', value => 3 }])->code;
$sent = @codes;
is_deeply(\@codes, [200, 200, 200, 200, 404, 401, 401, 401, 401, 200],
          'the requests got the answers expected');
# the log hook runs once the answer is out: wait for the last one
my $after;
my $t0 = time;
do {
    sleep 0.1;
    $after = scrape();
} until delta($before, $after, 'chatsession_request_duration_seconds_count') >= $sent
    || time - $t0 > 5;

is(delta($before, $after, reqs('GET', 200)), 3, 'GET 200: +3');
is(delta($before, $after, reqs('HEAD', 200)), 1, 'HEAD 200: +1');
is(delta($before, $after, reqs('GET', 404)), 1, 'GET 404: +1');
is(delta($before, $after, reqs('GET', 401)), 4, 'GET 401: +4');
is(delta($before, $after, reqs('PATCH', 200)), 1, 'PATCH 200: +1');
is(delta($before, $after, 'chatsession_request_duration_seconds_count'), $sent,
   "latency histogram: count +$sent");
is(delta($before, $after, 'chatsession_request_duration_seconds_bucket{le="+Inf"}'),
   $sent, '+Inf bucket: the same');
ok(delta($before, $after, 'chatsession_request_duration_seconds_sum') > 0,
   'latency sum grew');
my @le = map { $after->{"chatsession_request_duration_seconds_bucket{le=\"$_\"}"} }
    qw(0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 10 +Inf);
ok(!grep({ !defined } @le) && !grep({ $le[$_] < $le[$_ - 1] } 1 .. $#le),
   'buckets are cumulative') or diag("@le");
is(delta($before, $after, auth('none')), 1, 'auth failures, no header: +1');
is(delta($before, $after, auth('Basic')), 1, 'auth failures, Basic: +1');
is(delta($before, $after, auth('Bearer')), 1, 'auth failures, Bearer: +1');
is(delta($before, $after, auth('SOTicket')), 1, 'auth failures, SOTicket (sent as SoTicket): +1');
ok(delta($before, $after, 'chatsession_pg_statements_total') >= 6,
   'statements: at least one per request that reached the database')
    or diag(delta($before, $after, 'chatsession_pg_statements_total'));
ok(delta($before, $after, 'chatsession_pg_statement_seconds_total') > 0,
   'statement time grew');

# A foreign key PostgreSQL refuses (23503): class 23.
$before = $after;
$res = req(PATCH => "/api/v1/ChatSession/$ID",
           body => [{ op => 'replace', path => '/Person',
                      value => { PersonId => 999999 } }]);
is($res->code, 400, 'PATCH to a person who does not exist: 400')
    or diag($res->as_string);
$t0 = time;
do { sleep 0.1; $after = scrape() }
    until delta($before, $after, reqs('PATCH', 400)) || time - $t0 > 5;
is(delta($before, $after, 'chatsession_pg_errors_total{class="23"}'), 1,
   'PostgreSQL errors, class 23: +1');

# ---- mod_status ---------------------------------------------------------
$res = req(GET => '/obs-server-status?auto', auth => undef);
is($res->code, 200, 'mod_status ?auto answers');
my $key = reqs('GET', 200);
my ($auto) = $res->content =~ /^\Q$key\E: (\d+)$/m;
is($auto, $after->{$key}, 'mod_status ?auto: the same GET 200 count');
like($res->content, qr/^chatsession_pool_acquire_failures_total: \d+$/m,
     'and the pool failures');
$res = req(GET => '/obs-server-status', auth => undef);
like($res->content, qr{<h2>mod_chatsession</h2>}, 'mod_status page: our section');
like($res->content, qr{chatsession_requests_total\{method=&quot;GET&quot;,code=&quot;200&quot;\}</td><td align="right">\d+},
     'mod_status page: a table of the counters, escaped');

# ---- across processes, recycled children, a graceful restart -------------
my $second = second_httpd(extra => <<'CONF');
StartServers 2
ServerLimit 4
MaxConnectionsPerChild 1
<Location /chatsession-status>
    SetHandler chatsession-status
</Location>
LogFormat "%P %>s %U" pids
CustomLog pids_log pids
CONF
END { stop_second_httpd($second) if $second && $second->{pid} && kill 0, $second->{pid} }
my $url = $second->{url};
my $n = 6;
my @got = map { req(GET => "$url/api/v1/ChatSession/$ID")->code } 1 .. $n;
is_deeply(\@got, [(200) x $n], "$n GETs, each on a new connection");
my $m;
$t0 = time;
do { sleep 0.2; $m = scrape($url) }
    until ($m->{reqs('GET', 200)} // 0) >= $n || time - $t0 > 10;
is($m->{reqs('GET', 200)}, $n, "second httpd counts all $n");
my %pids;
if (open my $fh, '<', "$second->{dir}/pids_log") {
    while (<$fh>) { $pids{$1} = 1 if m{^(\d+) 200 /api/} }
}
ok(keys(%pids) >= 3, 'served by several processes, each gone after one '
   . 'connection (' . scalar(keys %pids) . ' pids)');
system(Apache::Test::vars()->{httpd},
       '-f', "$second->{dir}/httpd.conf", '-k', 'graceful') == 0
    or diag('graceful failed');
$t0 = time;
my $after_restart;
do {
    sleep 0.3;
    $after_restart = eval { scrape($url) };
} until ($after_restart && ($after_restart->{reqs('GET', 200)} // 0) >= $n)
    || time - $t0 > 15;
is($after_restart && $after_restart->{reqs('GET', 200)}, $n,
   'counts kept across a graceful restart');
is(req(GET => "$url/api/v1/ChatSession/$ID")->code, 200,
   'and the new generation counts on');
$t0 = time;
do { sleep 0.2; $m = scrape($url) }
    until ($m->{reqs('GET', 200)} // 0) > $n || time - $t0 > 10;
is($m->{reqs('GET', 200)}, $n + 1, 'into the same counters');
ok(stop_second_httpd($second), 'second httpd stopped');
