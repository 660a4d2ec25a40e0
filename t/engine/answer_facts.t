# The facts of an answer have one home each (issue 18, "Facts with
# several homes"): every media type is spelled in the media table
# (modules/core/base/chats_media.h) and nowhere else in modules/ or
# mod_chatsession.c; the Content-Type, the validators (ETag,
# Last-Modified) and the body of an answer are set by one file
# (modules/base/mod_chats_answer.c); the session's 404 and the
# Idempotency-Key's lost answer are each written once; the SuperOffice
# ticket scheme is named once. Comments are not code: they are left out.
#
# Reads the sources only: no build, no httpd, no PostgreSQL.
use strict;
use warnings;

use File::Find qw(find);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(repo_top slurp);
use Test::More;

my $top = repo_top();
my %code;                                   # relative path -> code
find({ no_chdir => 1, wanted => sub {
    return unless /\.[ch]$/ && -f $_;
    my $rel = substr($_, length($top) + 1);
    my $text = slurp($_) // '';
    $text =~ s{/\*.*?\*/}{ }gs;             # comments say why, not what
    $code{$rel} = $text;
} }, "$top/modules");
$code{'mod_chatsession.c'} = (slurp("$top/mod_chatsession.c") // '')
    =~ s{/\*.*?\*/}{ }gsr;
ok(keys %code > 50, scalar(keys %code) . ' source files read');

# Where a pattern occurs in code, as "file:line".
sub where {
    my ($re) = @_;
    my @at;
    for my $f (sort keys %code) {
        my $n = 0;
        for my $line (split /\n/, $code{$f}) {
            $n++;
            push @at, "$f:$n" if $line =~ $re;
        }
    }
    return @at;
}

my $TABLE = 'modules/core/base/chats_media.h';
my $MEDIA = qr{(?:application|text)/(?:[\w.+-]*json|[\w.+-]*xml)}i;

# ---------------------------------------------------------- media types
my @media = where(qr{"[^"\n]*$MEDIA});
my @outside = grep { !/^\Q$TABLE\E:/ } @media;
is_deeply(\@outside, [], 'no media type is spelled outside the table')
    or diag("spelled at: @outside");
my @defs = $code{$TABLE} =~ /#define (CHATS_MT_\w+)\s+"[^"]*$MEDIA/g;
is(scalar @defs, 6, "the table spells six media types (@defs)");
for my $d (@defs) {
    ok(where(qr/\b\Q$d\E\b/) > 1, "$d is used beyond its definition");
}
my @utf8 = grep { !m{^modules/handlers/mod_chats_status\.c:} }
           where(qr/charset=utf-8/);
is_deeply([map { s/:\d+$//r } @utf8], [$TABLE],
          'the answers\' charset is spelled once (status pages aside)');

# --------------------------------------------------- one answer sender
my $ANSWER = 'modules/base/mod_chats_answer.c';
is_deeply([map { s/:\d+$//r } where(qr/_set[n]?\([^;]*"ETag"/)],
          [$ANSWER], 'ETag is set in one place');
is_deeply([map { s/:\d+$//r } where(qr/\bap_set_last_modified\s*\(/)],
          [$ANSWER], 'Last-Modified is set in one place');
my @ctype = grep { !m{^modules/handlers/mod_chats_status\.c:} }
            where(qr/\bap_set_content_type\s*\(/);
is_deeply([sort map { s/:\d+$//r } @ctype],
          [$ANSWER, 'modules/base/mod_chats_http.c'],
          'Content-Type is set by the answer sender (and the filter that '
          . 'labels httpd\'s own error bodies)');
# The idempotency fingerprint renders a request body, not an answer.
my @render = grep { m{^(?:modules/(?:base|handlers|auth|store)/|mod_)}
                    && !m{^modules/handlers/mod_chats_idempotency\.c:} }
             where(qr/\bchats_(?:doc_to_json|xml_render)\s*\(/);
is_deeply([map { s/:\d+$//r } @render], [$ANSWER, $ANSWER],
          'answers are rendered, JSON or XML, in one place');
is(scalar(() = where(qr/\bsend_text\b/)), 0, 'no send_text left');

# ------------------------------------------------ messages written once
is(scalar(() = where(qr/"(?:ChatSession|%s) id %d not found"/)), 1,
   '"<Entity> id %d not found" is written once');
is(scalar(() = where(qr/this Idempotency-Key's/)), 1,
   'the lost answer of an Idempotency-Key is written once');

# ------------------------------------------------ the ticket scheme's name
# ("soTicket", lower-case, is the OpenAPI component's key, no scheme.)
my @scheme = where(qr/"S[Oo]Ticket\b/);
is_deeply(\@scheme, [grep { m{^modules/core/proto/chats_schemes\.h:} } @scheme],
          'the ticket scheme is spelled in chats_schemes.h only')
    or diag("spelled at: @scheme");
like($code{'modules/core/proto/chats_schemes.h'} // '',
     qr/#define CHATS_SCHEME_SOTICKET "SOTicket"/,
     'as SuperOffice spells it (spec: "SOTicket <ticket>")');

done_testing();
