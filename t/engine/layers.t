# The layers point one way (README "Layout", issue 18): `make layers`
# passes on the tree as built, and its checker (t/bin/layers) fails on a
# copy of modules/ made to include a header of a layer above, to misname
# glue, and to hold files that use each other. The build refuses the
# upward include too (each folder compiles with its layer's include
# path); that is the compiler's to prove, on every build.
#
# Needs the build ./check made (the module's objects, for the symbols);
# no httpd, no PostgreSQL.
use strict;
use warnings;

use File::Copy qw(copy);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(repo_top slurp spew);
use Test::More;

my $top = repo_top();
my $checker = "$top/t/bin/layers";

# `make layers` on the tree as built.
my $out = `make -s -C '$top' layers 2>&1`;
is($?, 0, 'make layers passes') or diag($out);
like($out, qr/every include and every use points down, no two files use each other/,
     'make layers says what it checked');

# The layer table, from its one home (Makefile.am).
my ($layers) = (slurp("$top/Makefile.am") // '') =~ /^LAYERS = ((?:.*\\\n)*.*)$/m;
my @layers = split ' ', ($layers // '') =~ s/\\\n/ /gr;
ok(@layers >= 5 && $layers[0] eq 'core/base' && $layers[-1] eq 'handlers',
   "Makefile.am's LAYERS: @layers");

# A scratch copy of modules/ and the top file, to break.
sub scratch {
    my $dir = tempdir(CLEANUP => 1);
    for my $f (split /\n/, `cd '$top' && find modules mod_chatsession.c -name '*.[ch]'`) {
        make_path("$dir/" . ($f =~ s{/[^/]*$}{}r)) if $f =~ m{/};
        copy("$top/$f", "$dir/$f") or die "$f: $!";
    }
    return $dir;
}

sub run_checker {
    my ($dir, @args) = @_;
    my $cmd = join ' ', map { "'$_'" } 'perl', $checker, '--root', $dir,
        '--leaf', 'tools=core/query', @args, @layers;
    my $text = `$cmd 2>&1`;
    return ($? >> 8, $text);
}

{
    my $dir = scratch();
    my ($rc, $text) = run_checker($dir);
    is($rc, 0, 'the checker passes on an unbroken copy') or diag($text);

    # Upward includes: the core's JSON part including the base's private
    # header, the XML part the field table above it.
    for (['modules/core/json/chats_doc.c', 'mod_chats_private.h'],
         ['modules/core/xml/chats_xml.c', 'chats_schema.h']) {
        my ($f, $h) = @$_;
        spew("$dir/$f", slurp("$dir/$f") =~ s/^(#include "[^"]+"\n)/$1#include "$h"\n/mr);
    }
    ($rc, $text) = run_checker($dir);
    is($rc, 1, 'an include of a layer above fails the checker');
    like($text, qr{modules/core/json/chats_doc\.c:\d+: includes mod_chats_private\.h of base, a layer above core/json},
         'it names the file, the line, the header and both layers');
    like($text, qr{modules/core/xml/chats_xml\.c:\d+: includes chats_schema\.h of core/schema, a layer above core/xml},
         'within the core too');
}

{
    # Names: a chats_* file that includes httpd's header is glue.
    my $dir = scratch();
    spew("$dir/modules/store/chats_store_rows.c",
         "#include \"httpd.h\"\n" . slurp("$dir/modules/store/chats_store_rows.c"));
    my ($rc, $text) = run_checker($dir);
    is($rc, 1, 'a misnamed glue file fails the checker');
    like($text, qr{modules/store/chats_store_rows\.c: includes httpd's httpd\.h, so it is glue: name it mod_chats_store_rows\.c},
         'it says what to name it');
}

{
    # Symbols: two files of the core that use each other, and one that
    # uses a function of a layer above; compiled to objects here (cc:
    # gcc, which the build needs anyway).
    my $dir = scratch();
    my %src = (
        'modules/core/base/chats_ping.c' =>
            "int chats_pong(int);\nint chats_ping(int n) { return n ? chats_pong(n - 1) : 0; }\n",
        'modules/core/base/chats_pong.c' =>
            "int chats_ping(int);\nint chats_pong(int n) { return n ? chats_ping(n - 1) : 1; }\n",
        'modules/core/base/chats_up.c' =>
            "int chats_list_fake(void);\nint chats_up(void) { return chats_list_fake(); }\n",
        'modules/core/query/chats_list_fake.c' =>
            "int chats_list_fake(void) { return 7; }\n",
    );
    my @objs;
    for my $f (sort keys %src) {
        spew("$dir/$f", $src{$f});
        (my $o = "$dir/$f") =~ s/\.c$/.o/;
        is(system('cc', '-c', '-o', $o, "$dir/$f"), 0, "cc -c $f");
        push @objs, $o;
    }
    my ($rc, $text) = run_checker($dir, '--objs', "@objs");
    is($rc, 1, 'files that use each other fail the checker');
    like($text, qr{these files use each other:\n  modules/core/base/chats_ping\.c -> modules/core/base/chats_pong\.c \(chats_pong\)\n  modules/core/base/chats_pong\.c -> modules/core/base/chats_ping\.c \(chats_ping\)},
         'it lists the cycle with the symbols on each edge');
    like($text, qr{modules/core/base/chats_up\.c uses chats_list_fake of modules/core/query/chats_list_fake\.c, a layer above},
         'a use of a symbol of a layer above');
    unlike($text, qr{chats_ping\.c uses|chats_pong\.c uses},
           'a cycle within one layer is no upward use');
}

done_testing();
