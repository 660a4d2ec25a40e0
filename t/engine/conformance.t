# The public json-patch-tests records (RFC 6902) and the RFC 7396
# Appendix A examples, run through the jsonpatch tool built from the
# module's engine. Needs no httpd; core Perl only.
#
#   CHATS_JSONPATCH        the tool (default: <top>/jsonpatch)
#   CHATS_CONFORMANCE_DIR  tests.json + spec_tests.json (default: the
#                          copy in the tree, t/conformance/json-patch-tests)
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Spec;
use File::Temp qw(tempdir);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(slurp spew);
use JSON::PP;
use Test::More;

my $top  = abs_path(File::Spec->catdir($FindBin::Bin, '..', '..'));
my $tool = $ENV{CHATS_JSONPATCH} || File::Spec->catfile($top, 'jsonpatch');
my $dir  = $ENV{CHATS_CONFORMANCE_DIR}
    || File::Spec->catdir($top, 't', 'conformance', 'json-patch-tests');
my $json = JSON::PP->new->utf8->allow_nonref->canonical;
my $tmp  = tempdir(CLEANUP => 1);

# RFC 7396 Appendix A: target, patch, result.
my @merge_examples = (
    ['{"a":"b"}',             '{"a":"c"}',             '{"a":"c"}'],
    ['{"a":"b"}',             '{"b":"c"}',             '{"a":"b","b":"c"}'],
    ['{"a":"b"}',             '{"a":null}',            '{}'],
    ['{"a":"b","b":"c"}',     '{"a":null}',            '{"b":"c"}'],
    ['{"a":["b"]}',           '{"a":"c"}',             '{"a":"c"}'],
    ['{"a":"c"}',             '{"a":["b"]}',           '{"a":["b"]}'],
    ['{"a":{"b":"c"}}',       '{"a":{"b":"d","c":null}}', '{"a":{"b":"d"}}'],
    ['{"a":[{"b":"c"}]}',     '{"a":[1]}',             '{"a":[1]}'],
    ['["a","b"]',             '["c","d"]',             '["c","d"]'],
    ['{"a":"b"}',             '["c"]',                 '["c"]'],
    ['{"a":"foo"}',           'null',                  'null'],
    ['{"a":"foo"}',           '"bar"',                 '"bar"'],
    ['{"e":null}',            '{"a":1}',               '{"e":null,"a":1}'],
    ['[1,2]',                 '{"a":"b","c":null}',    '{"a":"b"}'],
    ['{}',                    '{"a":{"bb":{"ccc":null}}}', '{"a":{"bb":{}}}'],
);

# Run the tool with doc on stdin; returns (exit status, stdout, stderr).
sub run_tool {
    my ($doc, $patch, @flags) = @_;
    my ($in, $pf, $err) = map { "$tmp/$_" } qw(doc.json patch.json err);
    spew($in, $doc);
    spew($pf, $patch);
    my $pid = open(my $out, '-|');
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        open(STDIN, '<', $in) or die "$in: $!";
        open(STDERR, '>', $err) or die "$err: $!";
        exec($tool, @flags, $pf) or die "exec $tool: $!";
    }
    my $stdout = do { local $/; <$out> };
    close($out);
    return ($? >> 8, $stdout // '', slurp($err) // '');
}

# Decoded and re-encoded canonically: key order is ignored, numbers
# compare by value (1, 1.0, 1e0 all become 1), strings stay strings.
sub canon {
    my ($text) = @_;
    my $v = eval { $json->decode($text) };
    return defined $@ && $@ ne '' ? undef : $json->encode($v);
}

sub check {
    my ($name, $doc, $patch, $want, $flags, $must_fail) = @_;
    my ($rc, $out, $err) = run_tool($doc, $patch, @$flags);
    if ($must_fail) {
        ok($rc != 0, "$name (rejected)")
            or diag("exit $rc, output: $out");
        return;
    }
    my $got = $rc == 0 ? canon($out) : undef;
    ok(defined $got && $got eq canon($want), $name)
        or diag("exit $rc; stderr: $err; got: $out; want: $want");
}

my @records;
for my $file (qw(tests.json spec_tests.json)) {
    my $text = slurp(File::Spec->catfile($dir, $file));
    next unless defined $text;
    my $list = JSON::PP->new->utf8->decode($text);
    my $i = 0;
    for my $r (@$list) {
        my $name = "$file #$i" . ($r->{comment} ? ": $r->{comment}" : '');
        $i++;
        next if $r->{disabled};
        next unless exists $r->{expected} || exists $r->{error};
        push @records, [$name, $r];
    }
}

if (!@records || !-x $tool) {
    plan tests => 1;
    fail("conformance records in $dir and an executable $tool");
    exit 0;
}

plan tests => @records + @merge_examples;
diag(scalar(@records) . " json-patch-tests records, "
     . scalar(@merge_examples) . " RFC 7396 examples");

for my $rec (@records) {
    my ($name, $r) = @$rec;
    check($name, $json->encode($r->{doc}), $json->encode($r->{patch}),
          exists $r->{expected} ? $json->encode($r->{expected}) : undef,
          ['--all-ops'], exists $r->{error});
}

my $n = 0;
for my $ex (@merge_examples) {
    my ($target, $patch, $result) = @$ex;
    check('RFC 7396 A #' . ++$n . ": $target + $patch", $target, $patch,
          $result, ['--merge'], 0);
}
