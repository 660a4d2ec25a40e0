#!/usr/bin/perl
# bench/lib/cputicks.pl — helper of bench/hotrow, not a command of its own.
# For each PID given, the CPU time its process tree has used so far, in
# clock ticks (getconf CLK_TCK): the process's own user + system time,
# its reaped children's (cutime + cstime: a PostgreSQL backend or an
# httpd child that has exited is counted by its parent), and each live
# child's user + system time. One number per PID, space-separated, so
# that the difference of two samples is the CPU the tree used between
# them, whichever processes came and went. /proc/PID/stat covers every
# thread of a process. A PID written +PID counts its reaped children
# only (a script's clients, once waited for: not the servers it started
# and still has as children).
#
#   cputicks.pl [+]PID...
use strict;
use warnings;

sub stat_of {                   # pid -> (ppid, utime+stime, cutime+cstime)
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/stat" or return;
    my $s = <$fh>;
    close $fh;
    return unless defined $s;
    # comm (field 2) may hold spaces or parentheses: split after the last ')'
    $s =~ s/^.*\)\s+//s;
    my @f = split ' ', $s;      # $f[0] is field 3 (state)
    return ($f[1], $f[11] + $f[12], $f[13] + $f[14]);
}

my %kids;
my %own;
opendir my $dh, '/proc' or die "cputicks.pl: /proc: $!\n";
for my $pid (grep { /^\d+$/ } readdir $dh) {
    my ($ppid, $t) = stat_of($pid) or next;
    push @{ $kids{$ppid} }, $pid;
    $own{$pid} = $t;
}
closedir $dh;
my @out;
for my $arg (@ARGV) {
    my ($reaped_only, $root) = $arg =~ /^(\+?)(\d+)$/
        or die "cputicks.pl: not a PID: $arg\n";
    my ($ppid, $t, $ct) = stat_of($root);
    if (!defined $t) {
        push @out, 0;
        next;
    }
    if ($reaped_only) {
        push @out, $ct;
        next;
    }
    $t += $ct;
    $t += $own{$_} // 0 for @{ $kids{$root} // [] };
    push @out, $t;
}
print "@out\n";
