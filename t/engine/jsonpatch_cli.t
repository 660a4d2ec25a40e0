# jsonpatch as a Unix tool: --help on stdout with status 0, --version, '-'
# for standard input, the documented exit codes, the operating system's
# reason in I/O errors, and every option documented in the --help text,
# the man page and the README alike. Needs no httpd; core Perl only.
use strict;
use warnings;

use File::Spec;
use File::Temp qw(tempdir);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(repo_top slurp spew);
use Test::More;

my $top  = repo_top();
my $tool = $ENV{CHATS_JSONPATCH} || File::Spec->catfile($top, 'jsonpatch');
my $tmp  = tempdir(CLEANUP => 1);

# Run the tool with optional bytes on stdin: (exit status, stdout, stderr).
sub run_tool {
    my ($stdin, @args) = @_;
    my ($in, $out, $err) = map { "$tmp/run.$_" } qw(in out err);
    spew($in, $stdin // '');
    my $pid = fork() // die "fork: $!";
    if (!$pid) {
        open(STDIN, '<', $in) or die "$in: $!";
        open(STDOUT, '>', $out) or die "$out: $!";
        open(STDERR, '>', $err) or die "$err: $!";
        exec($tool, @args) or die "exec $tool: $!";
    }
    waitpid($pid, 0);
    return ($? >> 8, slurp($out) // '', slurp($err) // '');
}

my %f = (
    doc     => '{"Status":"InQueue","Rating":1}',
    ok      => '[{"op":"replace","path":"/Rating","value":2}]',
    test    => '[{"op":"test","path":"/Rating","value":7}]',
    missing => '[{"op":"remove","path":"/Nope"}]',
    badop   => '[{"op":"frobnicate","path":"/Rating"}]',
    notjson => '[{"op":',
    move    => '[{"op":"move","from":"/Rating","path":"/R"}]',
    casei   => '[{"op":"replace","path":"rating","value":3}]',
    merge   => '{"Rating":null}',
);
spew("$tmp/$_.json", $f{$_}) for keys %f;
my $p = sub { "$tmp/$_[0].json" };

my ($rc, $out, $err);

# --help / --version / usage
($rc, $out, $err) = run_tool(undef, '--help');
is($rc, 0, '--help exits 0');
like($out, qr/^usage: jsonpatch /, '--help prints the usage on stdout');
is($err, '', '--help prints nothing on stderr');
my $help = $out;
($rc, $out) = run_tool(undef, '-h');
is($rc, 0, '-h exits 0');
($rc, $out, $err) = run_tool(undef, '--version');
is($rc, 0, '--version exits 0');
like($out, qr/^jsonpatch \(mod_chatsession\) \d+\.\d+\.\d+\n\z/, '--version prints the version');
for my $bad (['--bogus'], [], [$p->('ok'), $p->('doc'), 'extra'], ['-', '-']) {
    ($rc, $out, $err) = run_tool($f{doc}, @$bad);
    is($rc, 2, "usage error exits 2: (@$bad)");
    like($err, qr/jsonpatch: .+\nTry 'jsonpatch --help'/, "usage error says why: (@$bad)");
    is($out, '', "nothing on stdout: (@$bad)");
}

# Applying: files, '-' for either, the result on stdout.
($rc, $out) = run_tool(undef, $p->('ok'), $p->('doc'));
is($rc, 0, 'PATCH DOCUMENT exits 0');
is($out, qq({"Status":"InQueue","Rating":2}\n), 'PATCH DOCUMENT: the result');
($rc, $out) = run_tool($f{doc}, $p->('ok'));
is($out, qq({"Status":"InQueue","Rating":2}\n), 'document on stdin when absent');
($rc, $out) = run_tool($f{doc}, $p->('ok'), '-');
is($out, qq({"Status":"InQueue","Rating":2}\n), "document '-' is stdin");
($rc, $out) = run_tool($f{ok}, '-', $p->('doc'));
is($rc, 0, "patch '-' is stdin");
is($out, qq({"Status":"InQueue","Rating":2}\n), "patch '-': the result");
($rc, $out) = run_tool($f{merge}, '--merge', '-', $p->('doc'));
is($out, qq({"Status":"InQueue"}\n), '--merge with the patch on stdin');
($rc, $out) = run_tool(undef, '-m', $p->('merge'), $p->('doc'));
is($out, qq({"Status":"InQueue"}\n), '-m');
($rc, $out) = run_tool(undef, '--', $p->('ok'), $p->('doc'));
is($rc, 0, '-- ends the options');

# Options that change what is accepted.
($rc) = run_tool(undef, $p->('move'), $p->('doc'));
is($rc, 3, 'move without --all-ops is an invalid patch (3)');
($rc, $out) = run_tool(undef, '--all-ops', $p->('move'), $p->('doc'));
is($out, qq({"Status":"InQueue","R":1}\n), '--all-ops allows move');
($rc, $out) = run_tool(undef, '-a', $p->('move'), $p->('doc'));
is($rc, 0, '-a');
($rc) = run_tool(undef, $p->('casei'), $p->('doc'));
is($rc, 3, 'a path without / is invalid without --casei');
($rc, $out) = run_tool(undef, '--casei', $p->('casei'), $p->('doc'));
is($out, qq({"Status":"InQueue","Rating":3}\n), '--casei: member names ignore case, / optional');
($rc) = run_tool(undef, '-i', $p->('casei'), $p->('doc'));
is($rc, 0, '-i');

# Exit codes, one per kind of failure, nothing on stdout.
for my $c (['test', 1, qr/test failed \(op 0/],
           ['missing', 4, qr/path does not exist \(op 0, field \/Nope\)/],
           ['badop', 3, qr/op 0/],
           ['notjson', 3, qr/^jsonpatch: patch: /]) {
    my ($name, $want, $msg) = @$c;
    ($rc, $out, $err) = run_tool(undef, $p->($name), $p->('doc'));
    is($rc, $want, "$name exits $want");
    like($err, $msg, "$name: the message");
    is($out, '', "$name: nothing on stdout");
}
($rc, $out, $err) = run_tool('{"a":', $p->('ok'));
is($rc, 3, 'a document that is not JSON exits 3');
like($err, qr/^jsonpatch: document: /, 'and says it is the document');

# I/O errors name the file and carry the OS reason.
($rc, $out, $err) = run_tool(undef, "$tmp/absent.json", $p->('doc'));
is($rc, 5, 'a missing patch file exits 5');
like($err, qr/\Q$tmp\E\/absent\.json: cannot open: No such file or directory/,
     'a missing patch file: the name and the OS reason');
unlike($err, qr/internal/i, 'not reported as internal');
($rc, $out, $err) = run_tool(undef, $p->('ok'), $tmp);
is($rc, 5, 'a directory as the document exits 5');
like($err, qr/\Q$tmp\E: cannot read: Is a directory/, 'a directory: the OS reason');

# Every option in --help is in the man page and the README, and the exit
# codes the man page lists are the ones --help lists.
my $man = slurp(File::Spec->catfile($top, 'modules', 'tools', 'jsonpatch.1')) // '';
my $readme = slurp(File::Spec->catfile($top, 'README')) // '';
(my $man_plain = $man) =~ s/\\-/-/g;
my @opts = $help =~ /^\s+(-\w), (--[\w-]+)/mg;
ok(@opts >= 10, 'the --help text lists its options') or diag($help);
for my $o (@opts) {
    like($man_plain, qr/\Q$o\E\b/, "man page documents $o");
    like($readme, qr/\Q$o\E\b/, "README documents $o");
}
my @man_codes = $man =~ /^\.TP\n\.B (\d)\n/mg;
is("@man_codes", '0 1 2 3 4 5', 'the man page lists exit codes 0-5');
like($help, qr/0 applied, 1 a "test" op failed, 2 usage error,\s+3 invalid/,
     '--help lists the same exit codes');

done_testing();
