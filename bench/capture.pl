#!/usr/bin/perl
# bench/capture.pl — helper of bench/hotrow, not a command of its own.
#
# Reads PostgreSQL's jsonlog (log_statement = all during the capture), finds
# the statements the module ran for each captured PATCH (between the
# markers "SELECT 'bench-capture-begin-N'" and "...-end-N" that bench/hotrow
# sends from its own psql, application_name ADMIN_APP), takes the capture
# with the fewest statements (the steady state: cached credential, prepared
# statements) and writes a pgbench script that replays them as the module
# sends them, in order, one transaction per request:
#
#   OUT/body.sql      the statements, parameters replaced (see below)
#   OUT/defines       NUL-separated NAME=VALUE pairs for pgbench -D
#   OUT/summary.txt   each statement with its parameters, for the report
#
# Each parameter $n of a statement becomes:
#   :id        when its value is the captured id (so \set id picks the row)
#   :val       when it is the PATCH's new value (varied per transaction)
#   version    when it is the row's version before the PATCH (bench/hotrow
#              sets a distinctive one first): the column itself, so that an
#              optimistic "AND version = $2" always matches — one replayed
#              transaction is one request that succeeds at its first try
#   NULL       when the module sent NULL (pgbench variables cannot be NULL)
#   :sK_pN     any other value, given to pgbench with -D (still a parameter)
#
#   capture.pl JSONLOG ADMIN_APP ID VERSION VALUE_PREFIX OUT
use strict;
use warnings;
use JSON::PP;

my ($log, $admin, $id, $version, $value_prefix, $out) = @ARGV;
die "usage: capture.pl JSONLOG ADMIN_APP ID VERSION VALUE_PREFIX OUT\n"
    unless defined $out;

# ------------------------------------------------------------ read the log
my (%caps, $cur);
open my $fh, '<', $log or die "capture.pl: $log: $!\n";
while (my $line = <$fh>) {
    my $rec = eval { decode_json($line) } or next;
    my $msg = $rec->{message} // '';
    my $app = $rec->{application_name} // '';
    if ($app eq $admin) {
        if ($msg =~ /'bench-capture-begin-(\d+)'/) { $cur = $1; $caps{$cur} = []; }
        elsif ($msg =~ /'bench-capture-end-(\d+)'/) { undef $cur; }
        next;
    }
    next unless defined $cur && ($rec->{error_severity} // '') eq 'LOG';
    my ($name, $sql);
    if ($msg =~ /\Aexecute (\S+): (.*)\z/s) { ($name, $sql) = ($1, $2); }
    elsif ($msg =~ /\Astatement: (.*)\z/s)  { ($name, $sql) = ('(simple)', $1); }
    else { next; }
    my %params;
    my $detail = $rec->{detail} // '';
    if ($detail =~ /\Aparameters: /) {
        while ($detail =~ /\$(\d+) = (NULL|'((?:[^']|'')*)')/gs) {
            my ($n, $raw, $v) = ($1, $2, $3);
            if ($raw eq 'NULL') { $params{$n} = undef; }
            else { $v =~ s/''/'/g; $params{$n} = $v; }
        }
    }
    push @{ $caps{$cur} }, { name => $name, sql => $sql, params => \%params };
}
close $fh;

my @usable = grep { @{ $caps{$_} } } sort { $a <=> $b } keys %caps;
die "capture.pl: no statement of the module found in $log\n" unless @usable;
# Fewest statements wins; among equals, the latest.
my ($best) = sort { @{ $caps{$a} } <=> @{ $caps{$b} } || $b <=> $a } @usable;
my @stmts = @{ $caps{$best} };

# ------------------------------------------------------ write the replay
mkdir $out;
open my $body, '>', "$out/body.sql" or die "$out/body.sql: $!\n";
open my $defs, '>', "$out/defines" or die "$out/defines: $!\n";
open my $sum, '>', "$out/summary.txt" or die "$out/summary.txt: $!\n";
my @warnings;
printf $sum "capture %d of %d: %d statement(s) per PATCH (counts per capture: %s)\n",
    $best, scalar @usable, scalar @stmts,
    join(' ', map { scalar @{ $caps{$_} } } @usable);

my $k = 0;
for my $s (@stmts) {
    $k++;
    my %p = %{ $s->{params} };
    my %role;
    my $sub = sub {
        my $n = shift;
        return "\$$n" unless exists $p{$n};
        my $v = $p{$n};
        if (!defined $v)           { $role{$n} = 'NULL';    return 'NULL'; }
        if ($v eq $id)             { $role{$n} = ':id';     return ':id'; }
        if ($v eq $version)        { $role{$n} = 'version'; return 'version'; }
        if (index($v, $value_prefix) == 0 && $v =~ /\A\Q$value_prefix\E[-0-9]*\z/) {
            $role{$n} = ':val';
            return ':val';
        }
        if (index($v, $value_prefix) >= 0) {
            push @warnings, "statement $k: parameter \$$n holds the new value"
                . " inside a larger value; replayed unchanged (not varied)";
        }
        my $var = "s${k}_p$n";
        $role{$n} = ":$var";
        print $defs "$var=$v\0";
        return ":$var";
    };
    (my $sql = $s->{sql}) =~ s/\$(\d+)(?!\d)/$sub->($1)/ge;
    $sql =~ s/;\s*\z//;
    # pgbench reads ":name" as a variable anywhere, even inside a literal.
    my %ours = map { $_ => 1 } values %role;
    while ($sql =~ /(?<!:)(:[A-Za-z_][A-Za-z0-9_]*)/g) {
        next if $ours{$1};
        push @warnings, "statement $k: \"$1\" in the SQL text would be read"
            . " by pgbench as a variable";
    }
    print $body "$sql;\n";
    printf $sum "\n-- %d. %s (%d parameters: %s)\n%s\n", $k, $s->{name},
        scalar keys %p,
        join(', ', map { "\$$_ -> $role{$_}" } sort { $a <=> $b } keys %role)
            || 'none',
        $s->{sql};
}
print $sum "\nWARNING: $_\n" for @warnings;
close $_ for $body, $defs, $sum;
printf "%d statement(s) per PATCH: %s\n", scalar @stmts,
    join(', ', map { $_->{name} } @stmts);
print STDERR "capture.pl: WARNING: $_\n" for @warnings;
exit((grep { /pgbench as a variable/ } @warnings) ? 3 : 0);
