# Hostile request bodies (issue 8, findings 1, 2 and 7): shapes that cost
# a worker seconds or minutes before (quadratic member lookups, a
# floodable hash, apr_xml's namespace searches) and bodies in another
# encoding than UTF-8. Each is answered quickly with a 400 naming what
# was wrong, and changes nothing. No time is asserted (sanitizer builds,
# shared machines): req()'s 30 s timeout catches minutes of work, and
# bench/hostile has the figures.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_id);
use Time::HiRes qw(time);

plan tests => 94, need_lwp, need_module('mod_dbd.c');

my $ID = fresh_id();
my $URL = "/api/v1/ChatSession/$ID";
my $XSI = 'http://www.w3.org/2001/XMLSchema-instance';
seed_session($ID, name => 'Untouched');

sub row { db()->selectrow_hashref(
    'SELECT version, name FROM chat_session WHERE id = ?', undef, $ID) }
my $before = row();

# refused($method, $body, $ctype, $what, $status, $message_re)
sub refused {
    my ($method, $body, $ctype, $what, $status, $re) = @_;
    my $t0 = time;
    my $res = req($method => $URL, body => $body, content_type => $ctype);
    my $took = time - $t0;
    is($res->code, $status, "$what: $status") or diag(substr($res->content, 0, 300));
    my $doc = json_body($res) || {};
    ok($doc->{Error} && $doc->{ErrorType}, "$what: SuperOffice error body");
    like($doc->{ErrorMessage} // '', $re, "$what: the message says why");
    # No timed assertion (shared machines): the client's own 30 s timeout
    # is the guard against minutes of work; the time is for reading, and
    # bench/hostile has the figures.
    ok(!defined $res->header('Client-Warning'),
       "$what: answered by httpd, not by the client's timeout")
        or diag(sprintf '%.2f s', $took);
    note(sprintf '%s: %.3f s', $what, $took);
    is_deeply(row(), $before, "$what: nothing changed");
}

sub many {                      # $fmt's every %d is the copy's number
    my ($fmt, $n) = @_;
    my $k = () = $fmt =~ /%d/g;
    return join '', map { sprintf $fmt, ($_) x $k } 0 .. $n - 1;
}

# Finding 1: the shapes of the report.
my $xml = '<ChatSessionEntity>' . many('<F%d/>', 99_000) . '</ChatSessionEntity>';
cmp_ok(length $xml, '>', 800_000, 'the 99,000 elements body is over 800 KB');
refused(PATCH => $xml, 'application/xml', 'XML: 99,000 distinct elements',
        400, qr/more than \d+ elements/);
refused(PUT => "<ChatSessionEntity><User>" . many('<F%d/>', 40_000)
               . '</User></ChatSessionEntity>', 'application/xml',
        'XML PUT: 40,000 elements inside User', 400, qr/more than \d+ elements/);
refused(PATCH => '<ChatSessionEntity ' . many(' xmlns:p%d="urn:x:%d"', 30_000)
                 . '/>', 'application/xml', 'XML: 30,000 xmlns declarations',
        400, qr/more than \d+ attributes/);
refused(PATCH => '<ChatSessionEntity>' . many('<F%d xmlns:p="urn:x:%d"/>', 300)
                 . '</ChatSessionEntity>', 'application/xml',
        'XML: 300 namespace declarations on 300 elements', 400,
        qr/more than \d+ namespace declarations/);
refused(PATCH => '<ChatSessionEntity><CustomerName' . many(' a%d="%d"', 33)
                 . '>x</CustomerName></ChatSessionEntity>', 'application/xml',
        'XML: 33 attributes on an element', 400, qr/more than \d+ attributes/);
refused(PATCH => '<ChatSessionEntity>' . many('<F%d/>', 1001)
                 . '</ChatSessionEntity>', 'application/xml',
        'XML: 1,001 members in the entity', 400, qr/more than 1000 child elements/);

# Finding 2: member names that collide in APR's times-33 hash.
my @blk = ('a|', 'b[', 'c:');
sub collide { my $x = shift; join '', map { my $b = $blk[$x % 3]; $x = int($x / 3); $b } 1 .. 10 }
my $json = '{' . join(',', map { '"' . collide($_) . '":0' } 0 .. 39_999) . '}';
cmp_ok(length $json, '>', 900_000, 'the colliding-names body is over 900 KB');
refused(PATCH => $json, 'application/merge-patch+json',
        'JSON: 40,000 colliding member names', 400, qr/more than 1000 members/);
refused(PATCH => '{' . join(',', map { "\"N$_\":0" } 0 .. 1000) . '}',
        'application/merge-patch+json', 'JSON: 1,001 members', 400,
        qr/more than 1000 members/);
# Under the limit the colliding names are ordinary: the first unknown one
# is named.
refused(PATCH => '{' . join(',', map { '"' . collide($_) . '":0' } 0 .. 999) . '}',
        'application/merge-patch+json', 'JSON: 1,000 colliding names',
        400, qr/\Qa|a|a|a|a|a|a|a|a|a|\E|unknown/i);

# Finding 7: only UTF-8.
sub utf16le { my $s = shift; join '', map { "$_\0" } split //, $s }
sub utf16be { my $s = shift; join '', map { "\0$_" } split //, $s }
my $entity = "<ChatSessionEntity><CustomerName>K\x{e5}ri</CustomerName></ChatSessionEntity>";
my $decl = '<?xml version="1.0" encoding="UTF-16"?>';
refused(PATCH => utf16le($entity), 'application/xml', 'XML: UTF-16LE, no BOM',
        400, qr/UTF-8/);
refused(PATCH => utf16be($entity), 'application/xml', 'XML: UTF-16BE, no BOM',
        400, qr/UTF-8/);
refused(PATCH => "\xFF\xFE" . utf16le($decl . $entity), 'application/xml',
        'XML: UTF-16LE with BOM and declaration', 400, qr/UTF-8/);
refused(PATCH => "\xFE\xFF" . utf16be($decl . $entity), 'application/xml',
        'XML: UTF-16BE with BOM and declaration', 400, qr/UTF-8/);
refused(PATCH => utf16le($decl . $entity), 'application/xml',
        'XML: UTF-16LE with a declaration, no BOM', 400, qr/UTF-8/);
refused(PATCH => '<?xml version="1.0"' . (' ' x 300) . ' encoding="ISO-8859-1"?>'
                 . "<ChatSessionEntity><CustomerName>K\xe5ri</CustomerName>"
                 . '</ChatSessionEntity>', 'application/xml',
        'XML: ISO-8859-1 declared past 300 bytes of padding', 400,
        qr/encoding other than UTF-8/);
refused(PATCH => '<?xml version="1.0"' . (' ' x 300) . ' encoding="ISO-8859-1"?>'
                 . "<ChatSessionEntity><CustomerName>K\xc3\xa5ri</CustomerName>"
                 . '</ChatSessionEntity>', 'application/xml',
        'XML: ISO-8859-1 declared past the padding, UTF-8 bytes', 400,
        qr/encoding other than UTF-8/);
refused(PATCH => "\xFF\xFE" . utf16le('{"CustomerName":"x"}'),
        'application/merge-patch+json', 'JSON: UTF-16LE with a BOM', 400,
        qr/UTF-8/);
refused(PATCH => utf16be('{"CustomerName":"x"}'),
        'application/merge-patch+json', 'JSON: UTF-16BE', 400, qr/UTF-8/);

# What stays accepted: a UTF-8 BOM and a UTF-8 declaration however long,
# in XML; the value stored exactly.
my $res = req(PATCH => $URL, content_type => 'application/xml',
              body => "\xEF\xBB\xBF" . '<?xml version="1.0"' . (' ' x 300)
                      . ' encoding="utf-8"?><ChatSessionEntity>'
                      . "<CustomerName>K\xc3\xa5ri</CustomerName>"
                      . '</ChatSessionEntity>');
is($res->code, 200, 'XML: UTF-8 BOM and a long UTF-8 declaration: 200')
    or diag($res->content);
my $name = db()->selectrow_array('SELECT name FROM chat_session WHERE id = ?',
                                 undef, $ID);
utf8::decode($name) unless utf8::is_utf8($name);
is($name, "K\x{e5}ri", '... and Kåri stored as Kåri');
