package ChatSession::Test;

# Helpers shared by the t/api/*.t files: database access, seeding rows and
# HTTP requests against the Apache::Test server.  ./check provides the
# environment (CHATS_TEST_PG*, CHATS_OUTAGE_PGPORT).

use strict;
use warnings;

use Exporter 'import';
use Carp qw(croak);
use DBI ();
use HTTP::Request ();
use JSON::PP ();
use MIME::Base64 qw(encode_base64);
use Apache::TestRequest ();
use File::Spec ();
# The fixtures every test file shares (t/lib/ChatSession/Fixtures.pm):
# ids of the file's own block, topics, callers with rights.
my @FIXTURES;
BEGIN {
    @FIXTURES = qw(fresh_id fresh_ids make_topic make_caller keep_ids);
}
use ChatSession::Fixtures @FIXTURES;

our @EXPORT_OK = (qw(db seed_session req json_body demo_auth keepalive_ua
                     stats_db statements_reset statements_count
                     slow_updates no_slow_updates bcrypt_hash
                     run_forked slow_updates_on no_slow_updates_on
                     free_tcp_port error_log_since
                     second_httpd stop_second_httpd), @FIXTURES);
our %EXPORT_TAGS = (all => \@EXPORT_OK);

use constant DEMO_USER => 'tje0';
use constant DEMO_PASS => 'Tje0';

sub demo_auth { return [DEMO_USER, DEMO_PASS] }

my %dbh;

# db()           DBI handle on the main test cluster (cached, AutoCommit on).
# db('outage')   the same database on the outage cluster (never cached: the
#                outage test stops and starts that cluster).
sub db {
    my $which = shift || 'main';
    return $dbh{$which} if $which eq 'main' && $dbh{main} && $dbh{main}->ping;

    for my $v (qw(CHATS_TEST_PGHOST CHATS_TEST_PGPORT CHATS_TEST_PGDATABASE
                  CHATS_TEST_PGUSER)) {
        croak "$v is not set: run the suite through ./check"
            unless defined $ENV{$v} && length $ENV{$v};
    }
    my $port = $ENV{CHATS_TEST_PGPORT};
    if ($which eq 'outage') {
        $port = $ENV{CHATS_OUTAGE_PGPORT}
            or croak "CHATS_OUTAGE_PGPORT is not set: run ./check";
    }
    elsif ($which ne 'main') {
        croak "db('$which'): expected 'main' or 'outage'";
    }
    my $dsn = "dbi:Pg:dbname=$ENV{CHATS_TEST_PGDATABASE};"
            . "host=$ENV{CHATS_TEST_PGHOST};port=$port";
    my $dbh = DBI->connect($dsn, $ENV{CHATS_TEST_PGUSER}, '', {
        RaiseError => 1, PrintError => 0, AutoCommit => 1,
        pg_enable_utf8 => 1,
    });
    $dbh->do(q{SET TimeZone = 'UTC'});
    $dbh{$which} = $dbh if $which eq 'main';
    return $dbh;
}

# Defaults for a seeded row: a session tje0 (associate 5) may see and edit.
# Every other column takes the table's own default.
my %SEED_DEFAULTS = (
    topic_id       => 1,
    user_id        => 5,
    customer_alias => 'Kari',
    name           => 'Kari Nordmann',
    email          => 'kari@example.com',
    status         => 1,
    when_requested => '2011-01-11T16:54:08Z',
);

# seed_session($id, col => value, ...): replace chat_session row $id with
# one made of the given columns (undef = NULL) plus %SEED_DEFAULTS.
# Returns the new row as a hash ref.  Pass db => db('outage') to seed the
# outage cluster instead.
sub seed_session {
    my ($id, %cols) = @_;
    croak "seed_session: id must be a positive integer"
        unless defined $id && $id =~ /^[0-9]+$/;
    my $dbh = delete $cols{db} || db();
    my %row = (%SEED_DEFAULTS, %cols, id => $id);
    for my $c (keys %row) {
        croak "seed_session: bad column name '$c'" unless $c =~ /^[a-z_]+$/;
    }
    my @names = sort keys %row;
    my $sql = sprintf 'INSERT INTO chat_session (%s) VALUES (%s)',
        join(', ', map { $dbh->quote_identifier($_) } @names),
        join(', ', ('?') x @names);

    $dbh->begin_work;
    eval {
        $dbh->do('DELETE FROM chat_session WHERE id = ?', undef, $id);
        $dbh->do($sql, undef, @row{@names});
        $dbh->commit;
        1;
    } or do {
        my $err = $@;
        eval { $dbh->rollback };
        croak "seed_session($id): $err";
    };
    return $dbh->selectrow_hashref(
        'SELECT * FROM chat_session WHERE id = ?', undef, $id);
}

# req($method, $path, %opts) -> HTTP::Response
#   auth => [user, pass]   Basic credentials, sent up front (default
#                          tje0/Tje0); auth => undef sends none
#   authorization => '...' a raw Authorization header (Bearer, SoTicket)
#   headers => {...} | [...]  extra request headers
#   body => '...'          request body (a ref is JSON-encoded)
#   content_type => '...'  default application/json when there is a body;
#                          content_type => undef sends none
#   vhost => 'outage'      the outage virtual host instead of the main one
#   ua => $ua              send it with this user agent (e.g. keepalive_ua(),
#                          to stay on one connection, hence one httpd process)
sub req {
    my ($method, $path, %opts) = @_;
    croak 'req($method, $path, %opts)' unless $method && defined $path;

    my $url;
    {
        local $Apache::TestRequest::Module = $opts{vhost} || 'default';
        $url = Apache::TestRequest::resolve_url($path);
    }
    my $r = HTTP::Request->new($method => $url);

    # LWP sends Basic only after a 401 challenge: set the header ourselves.
    my $auth = exists $opts{auth} ? $opts{auth} : demo_auth();
    if (defined $opts{authorization}) {
        $r->header(Authorization => $opts{authorization});
    }
    elsif (defined $auth) {
        my ($u, $p) = @$auth;
        $r->header(Authorization =>
                   'Basic ' . encode_base64("$u:$p", ''));
    }

    my $body = $opts{body};
    if (defined $body) {
        $body = JSON::PP->new->canonical->utf8->encode($body) if ref $body;
        utf8::encode($body) if utf8::is_utf8($body);
        $r->content($body);
        $r->header('Content-Length' => length $body);
        my $ct = exists $opts{content_type} ? $opts{content_type}
                                            : 'application/json';
        $r->header('Content-Type' => $ct) if defined $ct;
    }
    elsif (defined $opts{content_type}) {
        $r->header('Content-Type' => $opts{content_type});
    }

    my $h = $opts{headers} || [];
    my @h = ref $h eq 'HASH' ? %$h : @$h;
    while (my ($k, $v) = splice @h, 0, 2) {
        $r->header($k => $v);
    }

    my $ua = $opts{ua};
    unless ($ua) {
        $ua = Apache::TestRequest::user_agent(
            reset => 1, requests_redirectable => 0, keep_alive => 0);
        $ua->timeout(30);
    }
    return $ua->request($r);
}

# keepalive_ua(): a user agent of its own that keeps its one connection
# open between requests (HTTP/1.1 keep-alive), so that the requests sent
# with it (req(..., ua => $ua)) are served by the same httpd process --
# and find what that process cached (the credential cache is per process).
# Each response's Client-Response-Num counts the responses on its
# connection: 1 means a new connection.
sub keepalive_ua {
    require LWP::UserAgent;
    my $ua = LWP::UserAgent->new(keep_alive => 1, max_redirect => 0,
                                 timeout => 30);
    return $ua;
}

# ---- statements the module runs, from pg_stat_statements ------------------
#
# ./check preloads pg_stat_statements in the main cluster (track = all) and
# creates the extension in the test database.  The module connects as
# CHATS_TEST_PGUSER, and so does db(); statements are counted under that
# role, so these helpers use a connection of another role (chats_stats, a
# superuser made on first use), whose own statements (the reset, the
# count) are never counted.  Do not use db() between statements_reset()
# and statements_count(): its statements would count.

my $stats_dbh;

sub stats_db {
    return $stats_dbh if $stats_dbh && $stats_dbh->ping;
    my $dbh = db();
    $dbh->do(<<'SQL');
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chats_stats') THEN
        CREATE ROLE chats_stats LOGIN SUPERUSER;
    END IF;
END
$$
SQL
    my ($have) = $dbh->selectrow_array(
        q{SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'});
    croak 'pg_stat_statements is not installed in the test database: run ./check'
        unless $have;
    my $dsn = "dbi:Pg:dbname=$ENV{CHATS_TEST_PGDATABASE};"
            . "host=$ENV{CHATS_TEST_PGHOST};port=$ENV{CHATS_TEST_PGPORT}";
    $stats_dbh = DBI->connect($dsn, 'chats_stats', '', {
        RaiseError => 1, PrintError => 0, AutoCommit => 1,
        pg_enable_utf8 => 1,
    });
    return $stats_dbh;
}

# statements_reset(): forget every statement counted so far.
sub statements_reset {
    stats_db()->selectrow_array('SELECT pg_stat_statements_reset()');
    return;
}

# statements_count() -> ($n, \@rows): the number of top-level statements
# CHATS_TEST_PGUSER ran in the test database since statements_reset(), and
# one row per statement [calls, toplevel (1/0), query] (nested ones too,
# e.g. inside functions, for diagnostics; they are not in $n).
sub statements_count {
    my $rows = stats_db()->selectall_arrayref(<<'SQL', undef, $ENV{CHATS_TEST_PGUSER});
SELECT s.calls, s.toplevel::int, regexp_replace(s.query, '\s+', ' ', 'g')
  FROM pg_stat_statements s
 WHERE s.userid = (SELECT oid FROM pg_roles WHERE rolname = $1)
   AND s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND s.query NOT LIKE '/* mod_chatsession-webhook */%'
 ORDER BY s.toplevel DESC, s.calls DESC, s.query
SQL
    my $n = 0;
    $n += $_->[0] for grep { $_->[1] } @$rows;
    return ($n, $rows);
}

# json_body($res): the decoded JSON body, or undef (with a diag) if it is
# not JSON.
sub json_body {
    my $res = shift;
    my $doc = eval { JSON::PP->new->utf8->allow_nonref->decode($res->content) };
    unless (defined $doc) {
        require Test::More;
        Test::More::diag('not JSON (' . $res->status_line . '): '
                         . substr($res->content // '', 0, 300));
    }
    return $doc;
}

# slow_updates($name, $id, $seconds): a trigger $name that holds every
# UPDATE of chat_session row $id (hence its row lock) for $seconds, so
# that concurrent writes overlap; no_slow_updates($name) removes it.
sub slow_updates { slow_updates_on(db(), @_) }

sub no_slow_updates { no_slow_updates_on(db(), @_) }

# bcrypt_hash($user, $password): a $2y$ hash, made by htpasswd (what an
# admin would use to set associate.password_hash).
sub bcrypt_hash {
    my ($user, $pw) = @_;
    local $_;       # Apache::Test's first vars() reads its config into $_
    my $vars = Apache::Test::vars();
    my ($htpasswd) = grep { -x } map { "$_/htpasswd" }
        grep { defined && length }
        ($vars->{bindir}, $vars->{sbindir}, split(/:/, $ENV{PATH}),
         '/usr/bin', '/usr/sbin');
    croak "htpasswd not found: apt-get install apache2-utils" unless $htpasswd;
    open(my $fh, '-|', $htpasswd, '-nbB', $user, $pw)
        or croak "$htpasswd: $!";
    my $line = <$fh>;
    close $fh or croak "$htpasswd -nbB failed";
    chomp $line;
    $line =~ s/^\Q$user\E://;
    return $line;
}

# ---- fault tests (t/api/fault_*.t) ----------------------------------------

# run_forked($n, $client, $meanwhile) -> [result of client 1 .. $n]
# Forks $n clients that start together; client $k runs $client->($k) and
# its returned hash ref comes back (JSON through a file; { died => ... }
# when it died or left nothing).  The parent runs $meanwhile->() (if
# given) while they run, then waits for all of them.
sub run_forked {
    my ($n, $client, $meanwhile) = @_;
    require File::Temp;
    require POSIX;
    my $dir = File::Temp::tempdir(CLEANUP => 1);
    my $json = JSON::PP->new->canonical->utf8;
    pipe(my $gate_r, my $gate_w) or croak "pipe: $!";
    my @kids;
    for my $k (1 .. $n) {
        my $pid = fork // croak "fork: $!";
        if ($pid == 0) {
            close $gate_w;
            <$gate_r>;                  # EOF when the parent lets go
            my $out = eval { $client->($k) } || { died => "$@" };
            if (open my $fh, '>', "$dir/$k.json") {
                print $fh $json->encode($out);
                close $fh;
            }
            POSIX::_exit(0);
        }
        push @kids, $pid;
    }
    close $gate_r;
    close $gate_w;                      # go
    my $err;
    if ($meanwhile) {
        eval { $meanwhile->(); 1 } or $err = $@;
    }
    waitpid $_, 0 for @kids;
    croak $err if defined $err;
    my @out;
    for my $k (1 .. $n) {
        my $doc;
        if (open my $fh, '<', "$dir/$k.json") {
            local $/;
            $doc = eval { $json->decode(<$fh>) };
        }
        push @out, $doc || { died => "client $k left no report" };
    }
    return \@out;
}

# slow_updates_on($dbh, $name, $id, $seconds) / no_slow_updates_on($dbh,
# $name): slow_updates() on any database handle (e.g. db('outage')).
sub slow_updates_on {
    my ($dbh, $name, $id, $seconds) = @_;
    croak "slow_updates_on: bad arguments"
        unless $dbh && $name =~ /^\w+$/ && $id =~ /^\d+$/ && $seconds =~ /^[\d.]+$/;
    $dbh->do(<<"SQL");
CREATE OR REPLACE FUNCTION $name() RETURNS trigger AS \$\$
BEGIN
    IF NEW.id = $id THEN
        PERFORM pg_sleep($seconds);
    END IF;
    RETURN NEW;
END
\$\$ LANGUAGE plpgsql
SQL
    $dbh->do("DROP TRIGGER IF EXISTS $name ON chat_session");
    $dbh->do("CREATE TRIGGER $name BEFORE UPDATE ON chat_session "
             . "FOR EACH ROW EXECUTE FUNCTION $name()");
}

sub no_slow_updates_on {
    my ($dbh, $name) = @_;
    $dbh->do("DROP TRIGGER IF EXISTS $name ON chat_session");
    $dbh->do("DROP FUNCTION IF EXISTS $name()");
}

# free_tcp_port(): a TCP port on 127.0.0.1 that is free now (the kernel's
# choice; a server started at once on it will find it free).
# free_tcp_port() -> a port on 127.0.0.1 that nothing listens on now and
# that this process has not been given before. Taken from 10000-19999, below
# the kernel's ephemeral range (32768-60999) and ./check's own ranges
# (20000-31999): a port the kernel handed out (bind to 0) can be handed out
# again, to this test or to any outgoing connection, before the test binds
# it, and the second httpd then fails to start (CI, stop 22).
my %handed_out;
sub free_tcp_port {
    require IO::Socket::INET;
    for (1 .. 2000) {
        my $port = 10000 + int rand 10000;
        next if $handed_out{$port};
        my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                      LocalPort => $port, ReuseAddr => 1)
            or next;
        close $s;
        $handed_out{$port} = 1;
        return $port;
    }
    croak 'no free port in 10000-19999';
}

# error_log_since($offset) -> the text t/logs/error_log got after byte
# $offset (take the offset with -s before the event).
sub error_log_since {
    my $from = shift || 0;
    my $file = Apache::Test::vars('t_logs') . '/error_log';
    open my $fh, '<', $file or croak "$file: $!";
    seek $fh, $from, 0;
    local $/;
    my $text = <$fh>;
    return defined $text ? $text : '';
}

# second_httpd() -> { url, port, pid, dir, error_log }: another httpd
# instance on the main test database, as a second node behind a load
# balancer would be: the same httpd binary (t/bin/httpd-asan) and module,
# CHATS_TEST_DSN, a minimal configuration of its own (event MPM, every
# family from conf/chatsession-locations.conf, Basic through our default
# provider) on
# a free port, its own logs under t/logs/second-httpd.  Stop it with
# stop_second_httpd($h).  second_httpd(extra => $text) appends $text to
# its configuration (directives there win over the ones above).
sub second_httpd {
    my %opts = @_;
    require File::Path;
    require IO::Socket::INET;
    require Time::HiRes;
    my $vars = Apache::Test::vars();
    my $dir = "$vars->{t_logs}/second-httpd";
    File::Path::remove_tree($dir);
    File::Path::make_path($dir);
    my $port = free_tcp_port();
    my $lib = $vars->{libexecdir} or croak 'libexecdir unknown';
    my $so = "$vars->{top_dir}/.libs/mod_chatsession.so";
    croak "$so not built" unless -f $so;
    my $dsn = $ENV{CHATS_TEST_DSN} or croak 'CHATS_TEST_DSN not set: run ./check';
    my $load = join '', map {
        "<IfModule !$_->[0]>\n  LoadModule $_->[0] $lib/$_->[1]\n</IfModule>\n"
    } ([mpm_event_module => 'mod_mpm_event.so'], [unixd_module => 'mod_unixd.so'],
       [authn_core_module => 'mod_authn_core.so'], [authz_core_module => 'mod_authz_core.so'],
       [authz_user_module => 'mod_authz_user.so'], [authz_host_module => 'mod_authz_host.so'],
       [dbd_module => 'mod_dbd.so']);
    open my $fh, '>', "$dir/httpd.conf" or croak "$dir/httpd.conf: $!";
    print $fh <<"CONF";
# A second node on the test database (ChatSession::Test::second_httpd).
ServerRoot "$dir"
DefaultRuntimeDir "$dir"
PidFile "$dir/httpd.pid"
ServerName 127.0.0.1:$port
Listen 127.0.0.1:$port
ErrorLog "$dir/error_log"
LogLevel warn
$load
LoadModule chatsession_module "$so"
StartServers 2
ServerLimit 2
ThreadsPerChild 16
MaxRequestWorkers 32
MinSpareThreads 1
MaxSpareThreads 32
DBDriver pgsql
DBDParams "$dsn"
DBDMin 0
DBDKeep 2
DBDMax 8
DBDExptime 60
Include "$vars->{top_dir}/conf/chatsession-locations.conf"
@{[ $opts{extra} // '' ]}
CONF
    close $fh or croak "$dir/httpd.conf: $!";
    # The log's text goes into the message: the next test that starts a
    # second httpd empties $dir.
    system($vars->{httpd}, '-f', "$dir/httpd.conf", '-k', 'start') == 0
        or croak "second httpd did not start: $dir/error_log says:\n"
                 . (eval { local (@ARGV, $/) = ("$dir/error_log"); <> } // '(nothing)');
    # httpd listens before it detaches and writes its pid file: wait for
    # both (the pid is what stops it).
    my ($t0, $pid) = (Time::HiRes::time());
    until ($pid && IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port)) {
        if (Time::HiRes::time() - $t0 > 30) {
            kill 'TERM', $pid if $pid;
            croak "second httpd does not run on $port: see $dir/error_log";
        }
        Time::HiRes::sleep(0.1);
        if (!$pid && open my $pf, '<', "$dir/httpd.pid") {
            ($pid) = (<$pf> // '') =~ /(\d+)/;
        }
    }
    return { url => "http://127.0.0.1:$port", port => $port, pid => $pid,
             dir => $dir, error_log => "$dir/error_log" };
}

sub stop_second_httpd {
    my $h = shift or return;
    require Time::HiRes;
    return 1 unless $h->{pid} && kill 0, $h->{pid};
    kill 'TERM', $h->{pid};
    my $t0 = Time::HiRes::time();
    while (kill 0, $h->{pid}) {
        if (Time::HiRes::time() - $t0 > 20) {
            kill 'KILL', $h->{pid};
            return 0;
        }
        Time::HiRes::sleep(0.1);
    }
    return 1;
}

# outage_cluster('stop') / outage_cluster('start'): stops the outage
# cluster (fast), or starts it again as ./check started it (its port,
# 127.0.0.1, its socket in its data directory); true when pg_ctl
# succeeded, else a diag of pg_ctl's words and false.
sub outage_cluster {
    my $what = shift;
    my ($pgdata, $pgbin, $pgport) =
        @ENV{qw(CHATS_OUTAGE_PGDATA CHATS_PG_BIN CHATS_OUTAGE_PGPORT)};
    croak 'CHATS_OUTAGE_PGDATA, CHATS_PG_BIN, CHATS_OUTAGE_PGPORT: run ./check'
        unless $pgdata && $pgbin && $pgport;
    my @args = $what eq 'stop' ? ('-m', 'fast', 'stop')
             : $what eq 'start'
                 ? ('-o', "'-p $pgport -c listen_addresses=127.0.0.1 "
                          . "-k $pgdata'", '-l', "$pgdata/../outage.log",
                    'start')
             : croak "outage_cluster('stop' | 'start')";
    my $out = `"$pgbin/pg_ctl" -D "$pgdata" -w @args 2>&1`;
    return 1 if $? == 0;
    require Test::More;
    Test::More::diag($out);
    return 0;
}
push @EXPORT_OK, 'outage_cluster';

# password_role($dbh, $role, $password) -> $undo: a login role that the
# cluster of $dbh asks for its password (scram-sha-256 lines for it ahead
# of pg_hba.conf's, as Debian's pg_hba.conf has them); $undo->() puts
# pg_hba.conf back and drops the role (once; call it from an END block
# too). Each change of pg_hba.conf is reloaded, and given a second: the
# postmaster reloads asynchronously.
sub password_role {
    my ($dbh, $role, $pw) = @_;
    croak "password_role: bad role name '$role'" unless $role =~ /^\w+$/;
    my ($hba) = $dbh->selectrow_array('SHOW hba_file');
    open(my $fh, '<', $hba) or croak "$hba: $!";
    my $orig = do { local $/; <$fh> };
    close $fh;
    my $write = sub {
        open(my $out, '>', $hba) or croak "$hba: $!";
        print {$out} @_;
        close $out or croak "$hba: $!";
        $dbh->selectrow_array('SELECT pg_reload_conf()');
        sleep 1;
    };
    $dbh->do("DROP ROLE IF EXISTS $role");
    $dbh->do("CREATE ROLE $role LOGIN PASSWORD " . $dbh->quote($pw));
    $write->("host all $role 127.0.0.1/32 scram-sha-256\n",
             "host all $role ::1/128 scram-sha-256\n", $orig);
    my $done;
    return sub {
        return if $done++;
        $write->($orig);
        $dbh->do("DROP ROLE IF EXISTS $role");
    };
}
push @EXPORT_OK, 'password_role';

# dbd_vhost($port, $params) -> the configuration of a virtual host on
# 127.0.0.1:$port (its Listen too) whose pool has DBDParams $params and
# keeps no connection, serving the ChatSession family to anyone: for
# second_httpd(extra => ...), to point a server at a PostgreSQL that is
# not there or does not answer.
sub dbd_vhost {
    my ($port, $params) = @_;
    return <<"CONF";
Listen 127.0.0.1:$port
<VirtualHost 127.0.0.1:$port>
    DBDriver pgsql
    DBDParams "$params"
    DBDMin 0
    DBDKeep 0
    <Location /api/v1/ChatSession>
        SetHandler chatsession
        Require all granted
    </Location>
</VirtualHost>
CONF
}
push @EXPORT_OK, 'dbd_vhost';

# client_script($name) -> ($node, $path): t/client/$name, once node and
# the pinned official client are there (two assertions); otherwise the
# test ends there, failed (never a skip).
use constant CLIENT_VERSION => '12.4.1514';   # t/client/package-lock.json
sub client_script {
    my $name = shift;
    require Test::More;
    my $dir = File::Spec->catdir(Apache::Test::vars('top_dir'), 't', 'client');
    my ($node) = grep { -x } map { File::Spec->catfile($_, 'node') }
                      split /:/, ($ENV{PATH} || '') . ':/usr/bin:/usr/local/bin';
    my $version;
    if (open my $fh, '<', File::Spec->catfile(
            $dir, qw(node_modules @superoffice webapi package.json))) {
        local $/;
        ($version) = <$fh> =~ /"version"\s*:\s*"([^"]+)"/;
    }
    unless (Test::More::ok($node, 'node is installed (Debian package nodejs)')
            && Test::More::is($version, CLIENT_VERSION,
                   "t/client/node_modules has \@superoffice/webapi "
                   . CLIENT_VERSION . ' (./check runs npm ci)')) {
        Test::More::done_testing();
        exit;
    }
    return ($node, File::Spec->catfile($dir, $name));
}
push @EXPORT_OK, 'client_script';

# run_node_tap(node => $node, script => $path, env => [K=V...],
# args => [...], timeout => $s, min => $n, label => $tz): runs a t/client
# scenario once and turns each TAP line it prints into an assertion
# ("# ..." lines after a "not ok" explain it), then checks that it ended
# in time, exited 0, printed its plan and ran at least min checks.
sub run_node_tap {
    my %o = @_;
    require Test::More;
    my ($seen, $plan, $failing, $timed_out) = (0, undef, 0, 0);
    my $name = (File::Spec->splitpath($o{script}))[2];
    my $pid = open(my $out, '-|', 'env', @{ $o{env} || [] }, $o{node},
                   $o{script}, @{ $o{args} || [] })
        or die "cannot run $o{node} $o{script}: $!";
    local $SIG{ALRM} = sub { $timed_out = 1; kill 'TERM', $pid };
    alarm $o{timeout};
    while (my $line = <$out>) {
        chomp $line;
        if ($line =~ /^(not )?ok \d+ - (.*)$/) {
            $seen++;
            $failing = !!$1;
            Test::More::ok(!$failing, $2);
        }
        elsif ($line =~ /^1\.\.(\d+)/) {
            $plan = $1;
        }
        elsif ($line =~ /^#\s?(.*)$/) {
            $failing ? Test::More::diag($1) : Test::More::note($1);
        }
        elsif (length $line) {
            Test::More::diag("$name: $line");
        }
    }
    alarm 0;
    close $out;
    my $rc = $?;
    Test::More::ok(!$timed_out, "[$o{label}] $name finished within $o{timeout}s");
    Test::More::is($rc >> 8, 0, "[$o{label}] $name exits 0")
        or Test::More::diag(sprintf 'wait status %d (exit %d, signal %d)',
                            $rc, $rc >> 8, $rc & 127);
    Test::More::is($plan, $seen, "[$o{label}] $name printed its plan (1..$seen)");
    Test::More::cmp_ok($seen, '>=', $o{min}, "[$o{label}] the whole scenario ran");
}
push @EXPORT_OK, 'run_node_tap';

# hold_delivery() -> a database handle that holds the webhook
# deliverer's advisory lock (core/sql/chats_webhook_sql.h): while it is
# open no process delivers, so events stay in chats_webhook_outbox for a
# test to read (t/api/webhook_capture.t). The deliverer's backends are
# terminated first; the lock is taken as the one holding it goes, before
# any deliverer can connect again (it waits a second). Close the handle
# (or let the test end) to let delivery resume.
use constant WEBHOOK_LOCK_KEY => '7206531938440114001';
sub hold_delivery {
    my $dsn = "dbi:Pg:dbname=$ENV{CHATS_TEST_PGDATABASE};"
            . "host=$ENV{CHATS_TEST_PGHOST};port=$ENV{CHATS_TEST_PGPORT}";
    my $h = DBI->connect($dsn, $ENV{CHATS_TEST_PGUSER}, '', {
        RaiseError => 1, PrintError => 0, AutoCommit => 1 });
    $h->do(q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE application_name = 'mod_chatsession-webhook'
                AND datname = current_database()});
    $h->do('SET lock_timeout = 0');
    $h->do('SELECT pg_advisory_lock(' . WEBHOOK_LOCK_KEY . ')');
    return $h;
}
push @EXPORT_OK, 'hold_delivery';

# --- routes begin
# agent_req($Method, %opts): POST /api/v1/Agents/Chat/$Method, as the
# official client's ChatAgent calls it; query => 'a=b' adds a query
# string, the other options are req()'s (body => 'null' sends the JSON
# text null; no body sends none).
sub agent_req {
    my ($method, %opts) = @_;
    my $query = delete $opts{query};
    return req(POST => "/api/v1/Agents/Chat/$method"
                       . (defined $query ? "?$query" : ''), %opts);
}
push @EXPORT_OK, 'agent_req';
# --- routes end

# --- patroni begin
# patroni_cluster(%env) -> $c: conf/cluster/serve-cluster (./serve
# --cluster) started for a test: etcd, three Patroni nodes, two httpd
# nodes with this tree's module and the front, under t/logs/cluster, as
# the test user, with short Patroni timings (ttl 10, loop_wait 1) and
# fsync off; %env adds or overrides CLUSTER_* settings. Returns when it
# wrote cluster.env: $c->{front}, {httpd1}, {httpd2} (URLs), {nodes}
# (pg1 pg2 pg3), {pg}{$n}{port, rest, data, config}, {dir}, {pid}, {log};
# croaks (stopping it) when it does not come up within 300 s.
sub patroni_cluster {
    my %env = @_;
    require Time::HiRes;
    require POSIX;
    my $vars = Apache::Test::vars();
    my $dir = "$vars->{t_logs}/cluster";
    my $log = "$vars->{t_logs}/cluster.log";
    unlink "$dir/cluster.env";
    my %run = (PORT => free_tcp_port(), CLUSTER_VAR => $dir,
               CLUSTER_PORT_BASE => 10000 + int(rand(9000)),
               CLUSTER_TTL => 10, CLUSTER_LOOP_WAIT => 1,
               CLUSTER_RETRY_TIMEOUT => 4, CLUSTER_FSYNC => 'off', %env);
    my $pid = fork // croak "fork: $!";
    if ($pid == 0) {
        @ENV{keys %run} = values %run;
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $log;
        open STDERR, '>&', \*STDOUT;
        # what users run: ./serve --cluster (it execs serve-cluster)
        { exec "$vars->{top_dir}/serve", '--cluster' }
        POSIX::_exit(127);
    }
    my $c = { pid => $pid, dir => $dir, log => $log };
    my $t0 = Time::HiRes::time();
    until (-s "$dir/cluster.env") {
        if (waitpid($pid, POSIX::WNOHANG()) == $pid || Time::HiRes::time() - $t0 > 300) {
            stop_patroni_cluster($c);
            croak "conf/cluster/serve-cluster did not come up: see $log";
        }
        Time::HiRes::sleep(0.2);
    }
    # cluster.env is shell (printf %q): let bash read it.
    my %e = split /\0/, scalar `bash -c '. "\$1" && for v in \${!CLUSTER_@}; do printf "%s\\0%s\\0" "\$v" "\${!v}"; done' _ '$dir/cluster.env'`;
    $c->{env} = \%e;
    $c->{front} = $e{CLUSTER_FRONT};
    $c->{$_} = $e{ 'CLUSTER_' . uc $_ } for split ' ', $e{CLUSTER_HTTPD_NODES};
    $c->{nodes} = [split ' ', $e{CLUSTER_PG_NODES}];
    for my $n (@{ $c->{nodes} }) {
        $c->{pg}{$n}{lc $_} = $e{ 'CLUSTER_' . uc($n) . "_$_" } for qw(PORT REST DATA CONFIG);
    }
    return $c;
}
push @EXPORT_OK, 'patroni_cluster';

# stop_patroni_cluster($c) -> true when the launcher stopped everything
# (SIGTERM; it stops httpd, Patroni with PostgreSQL, then etcd) within
# 90 s.
sub stop_patroni_cluster {
    my $c = shift or return;
    require Time::HiRes;
    require POSIX;
    return 1 unless $c->{pid} && kill 0, $c->{pid};
    kill 'TERM', $c->{pid};
    my $t0 = Time::HiRes::time();
    while (waitpid($c->{pid}, POSIX::WNOHANG()) != $c->{pid}) {
        return 0 if Time::HiRes::time() - $t0 > 90;
        Time::HiRes::sleep(0.1);
    }
    delete $c->{pid};
    return 1;
}
push @EXPORT_OK, 'stop_patroni_cluster';

# cluster_members($c) -> { name => { role, state, timeline } } as Patroni
# reports it (GET /cluster from the first node that answers), or undef.
sub cluster_members {
    my $c = shift;
    require LWP::UserAgent;
    my $ua = LWP::UserAgent->new(timeout => 2);
    for my $n (@{ $c->{nodes} }) {
        my $res = $ua->get("$c->{pg}{$n}{rest}/cluster");
        next unless $res->is_success;
        my $doc = eval { JSON::PP->new->decode($res->content) } or next;
        return { map { $_->{name} => { role => $_->{role}, state => $_->{state},
                                        timeline => $_->{timeline} } }
                 @{ $doc->{members} || [] } };
    }
    return undef;
}
push @EXPORT_OK, 'cluster_members';

# cluster_db($c, %opts) -> a DBI handle on the cluster's primary (libpq
# finds it: every node, target_session_attrs=read-write), or on node
# port => P alone; as the module's role unless user => ...
sub cluster_db {
    my ($c, %o) = @_;
    my $e = $c->{env};
    my ($hosts, $ports) = $o{port}
        ? ('127.0.0.1', $o{port})
        : (join(',', ('127.0.0.1') x @{ $c->{nodes} }),
           join(',', map { $c->{pg}{$_}{port} } @{ $c->{nodes} }));
    my $dsn = "dbi:Pg:dbname=$e->{CLUSTER_DB_NAME};host=$hosts;port=$ports;"
            . 'connect_timeout=2' . ($o{port} ? '' : ';target_session_attrs=read-write');
    my $dbh = DBI->connect($dsn, $o{user} // $e->{CLUSTER_DB_USER}, '', {
        RaiseError => 1, PrintError => 0, AutoCommit => 1, pg_enable_utf8 => 1 });
    $dbh->do(q{SET TimeZone = 'UTC'});
    return $dbh;
}
push @EXPORT_OK, 'cluster_db';

# patroni_log_time($c, $node, $qr) -> the time (epoch seconds) of the
# last line of $node's Patroni log matching $qr, or undef. Patroni logs
# local time to the millisecond ("2026-12-05 01:44:50,288 INFO: ...").
sub patroni_log_time {
    my ($c, $node, $qr) = @_;
    require Time::Local;
    open my $fh, '<', "$c->{dir}/$node/patroni.log" or return undef;
    my $when;
    while (my $line = <$fh>) {
        next unless $line =~ $qr;
        my ($Y, $M, $D, $h, $m, $s, $ms) =
            $line =~ /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3})/ or next;
        $when = Time::Local::timelocal($s, $m, $h, $D, $M - 1, $Y) + $ms / 1000;
    }
    return $when;
}
push @EXPORT_OK, 'patroni_log_time';
# --- patroni end

1;
