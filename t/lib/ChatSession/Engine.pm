package ChatSession::Engine;

# Helpers of the t/engine/*.t files, which need no httpd: the repository
# top, whole-file reads and writes, handing a C driver's TAP to the
# harness, and a DBI handle on the test cluster (DBI loaded only then).

use strict;
use warnings;

use Exporter 'import';
use Cwd qw(abs_path);
use File::Spec;
use FindBin;

our @EXPORT_OK = qw(repo_top slurp spew run_tap_driver engine_db);

# The repository top: two levels above t/engine.
sub repo_top { abs_path(File::Spec->catdir($FindBin::Bin, '..', '..')) }

sub slurp {
    my ($path) = @_;
    open(my $fh, '<:raw', $path) or return undef;
    local $/;
    return scalar <$fh>;
}

sub spew {
    my ($path, $bytes) = @_;
    open(my $fh, '>:raw', $path) or die "$path: $!";
    print {$fh} $bytes;
    close($fh) or die "$path: $!";
}

# A DBI handle on the test cluster ./check started (CHATS_TEST_PG*), for
# the engine tests that hold the code against the database.
sub engine_db {
    for my $v (qw(CHATS_TEST_PGHOST CHATS_TEST_PGPORT CHATS_TEST_PGDATABASE
                  CHATS_TEST_PGUSER)) {
        die "$v is not set: run the suite through ./check\n"
            unless defined $ENV{$v} && length $ENV{$v};
    }
    require DBI;
    return DBI->connect("dbi:Pg:dbname=$ENV{CHATS_TEST_PGDATABASE};"
                        . "host=$ENV{CHATS_TEST_PGHOST};"
                        . "port=$ENV{CHATS_TEST_PGPORT}",
                        $ENV{CHATS_TEST_PGUSER}, '',
                        { RaiseError => 1, PrintError => 0,
                          AutoCommit => 1 });
}

# Replace this process by the driver named by $ENV{$env} (default
# <top>/$rel), so its TAP reaches the harness unchanged. A missing driver
# fails the run, it is never a skip.
sub run_tap_driver {
    my ($env, $rel) = @_;
    my $unit = $ENV{$env} || File::Spec->catfile(repo_top(), split m{/}, $rel);

    if (!-x $unit) {
        print "1..1\nnot ok 1 - unit driver $unit is built\n";
        exit 1;
    }
    $| = 1;
    exec($unit) or do {
        print "1..1\nnot ok 1 - exec $unit: $!\n";
        exit 1;
    };
}

1;
