#!/usr/bin/perl
# bench/lib/pickup.pl — helper of bench/list, not a command of its own.
# N agents (logins agentFIRST .. agentFIRST+N-1, one password) each POST
# ChatSession/Pickup on a keep-alive connection of their own until they
# get null; each agent's ids go to OUT/K.ids. Prints one line:
#   pickups seconds nulls errors
#
#   pickup.pl ROOT PASSWORD FIRST N OUT
use strict;
use warnings;
use HTTP::Tiny;
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(time);
use POSIX ();

my ($root, $pass, $first, $n, $out) = @ARGV;
die "usage: pickup.pl ROOT PASSWORD FIRST N OUT\n" unless defined $out;
mkdir $out;
pipe(my $gate_r, my $gate_w) or die "pipe: $!";
my @kids;
for my $k (0 .. $n - 1) {
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $gate_w;
        my $login = 'agent' . ($first + $k);
        my $ua = HTTP::Tiny->new(keep_alive => 1, timeout => 60);
        my %h = (Authorization => 'Basic ' . encode_base64("$login:$pass", ''),
                 'Content-Length' => 0);
        # the credential is verified (bcrypt) before the gate opens
        $ua->get("$root/ChatSession/ForCurrentUser", { headers => \%h });
        <$gate_r>;
        my ($nulls, $errs, @ids) = (0, 0);
        while (1) {
            my $r = $ua->post("$root/ChatSession/Pickup", { headers => \%h });
            if ($r->{status} != 200) {
                last if ++$errs >= 5;
                next;
            }
            if ($r->{content} =~ /^\s*null\s*$/) {
                $nulls++;
                last;
            }
            my $e = eval { decode_json($r->{content}) };
            push @ids, $e->{ChatSessionId} if $e && $e->{ChatSessionId};
        }
        open my $fh, '>', "$out/$k.ids" or die;
        print $fh "$_\n" for @ids;
        close $fh;
        open $fh, '>', "$out/$k.tally" or die;
        print $fh scalar(@ids), " $nulls $errs\n";
        close $fh;
        POSIX::_exit(0);
    }
    push @kids, $pid;
}
close $gate_r;
sleep 2;                        # every agent has verified its credential
my $t0 = time;
close $gate_w;                  # go
waitpid $_, 0 for @kids;
my $secs = time - $t0;
my ($picked, $nulls, $errs) = (0, 0, 0);
for my $k (0 .. $n - 1) {
    open my $fh, '<', "$out/$k.tally" or next;
    my ($p, $nl, $e) = split ' ', scalar <$fh>;
    ($picked, $nulls, $errs) = ($picked + $p, $nulls + $nl, $errs + $e);
}
printf "%d %.2f %d %d\n", $picked, $secs, $nulls, $errs;
