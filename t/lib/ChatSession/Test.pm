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

our @EXPORT_OK = qw(db seed_session req json_body demo_auth);
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

    my $ua = Apache::TestRequest::user_agent(
        reset => 1, requests_redirectable => 0, keep_alive => 0);
    $ua->timeout(30);
    return $ua->request($r);
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

1;
