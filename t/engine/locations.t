# One home for the <Location> blocks (issue 16): conf/chatsession-locations.conf
# maps every family of the route table (chats-openapi --routes, "mount"),
# the counters and the health checks; and every configuration users and
# tests run takes its blocks from it: ./serve's (./serve --print-config),
# the test suite's (t/conf/extra.conf.in), Debian's conf-available file
# (conf/chatsession.conf, installed with the template by `make install`),
# and the install walk-through (conf/install-debian.sh, which enables that
# file). Each configuration is read with its Includes expanded, so a family
# missing from any of them fails here, whatever the cause.
#
#   CHATS_OPENAPI  the chats-openapi tool (default: <top>/chats-openapi)
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Spec;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(slurp);
use JSON::PP;
use Test::More;

my $top = abs_path(File::Spec->catdir($FindBin::Bin, '..', '..'));
my $tool = $ENV{CHATS_OPENAPI} || "$top/chats-openapi";
my $template = "$top/conf/chatsession-locations.conf";

my $routes = decode_json(scalar `"$tool" --routes`);
is($?, 0, 'chats-openapi --routes');
my %mounts = map { $_->{mount} => 1 } @$routes;
my @mounts = sort keys %mounts;
ok(@mounts >= 2, 'the route table has its families: ' . join(' ', @mounts));

# Where a tree path stands in an installed configuration.
my %installed = ('/usr/share/mod_chatsession/' => "$top/conf/",
                 '@top_dir@/' => "$top/");

# The text with every Include of a file that exists here expanded in
# place, comments dropped.
sub expand {
    my ($text, $depth) = @_;
    die "Include nesting too deep\n" if ($depth // 0) > 5;
    my @out;
    for my $line (split /\n/, $text) {
        next if $line =~ /^\s*#/;
        if ($line =~ /^\s*Include(?:Optional)?\s+"?([^"\s]+)"?\s*$/) {
            my $path = $1;
            for my $from (keys %installed) {
                $path =~ s/^\Q$from\E/$installed{$from}/;
            }
            my $inc = -f $path ? slurp($path) : undef;
            push @out, defined $inc ? expand($inc, ($depth // 0) + 1)
                                    : $line;
            next;
        }
        push @out, $line;
    }
    return join "\n", @out;
}

# { location path => handler } of the top-level <Location> sections
# (not those inside a <VirtualHost>).
sub handlers {
    my ($text) = @_;
    my (%h, $loc, $vhost);
    for my $line (split /\n/, $text) {
        $vhost = 1 if $line =~ /^\s*<VirtualHost\b/;
        $vhost = 0 if $line =~ /^\s*<\/VirtualHost>/;
        next if $vhost;
        if ($line =~ /^\s*<Location\s+"?([^">\s]+)"?\s*>/) { $loc = $1; next }
        if ($line =~ /^\s*<\/Location>/) { $loc = undef; next }
        $h{$loc} = $1 if defined $loc && $line =~ /^\s*SetHandler\s+(\S+)/;
    }
    return \%h;
}

sub covers {
    my ($name, $text) = @_;
    my $h = handlers(expand($text));
    for my $m (@mounts) {
        is($h->{$m}, 'chatsession', "$name maps $m to the handler");
    }
    is($h->{'/chatsession-status'}, 'chatsession-status',
       "$name maps the counters");
    is($h->{'/health'}, 'chatsession-health', "$name maps the health checks");
}

# --- the template itself: every family, and no other chatsession mount
my $tpl = slurp($template) // '';
covers('the template', $tpl);
my $th = handlers($tpl);
is_deeply([sort grep { $th->{$_} eq 'chatsession' } keys %$th], \@mounts,
          'the template maps no path the route table does not know');
like($tpl, qr/^\s*AuthType ChatSession$/m, 'the template authenticates');

# --- ./serve, as it runs (its printed configuration)
my $serve = do {
    local $ENV{PGPORT} = 55432;
    local $ENV{SERVE_VAR} = File::Spec->tmpdir;
    `"$top/serve" --print-config 8080`;
};
is($?, 0, './serve --print-config');
like($serve, qr{^Include "\Q$template\E"$}m, './serve includes the template');
covers('./serve', $serve);

# --- the test suite's configuration (the main server)
my $extra = slurp("$top/t/conf/extra.conf.in") // '';
like($extra, qr{^Include \@top_dir\@/conf/chatsession-locations\.conf$}m,
     't/conf/extra.conf.in includes the template');
covers('t/conf/extra.conf.in', $extra);

# --- Debian's conf-available/chatsession.conf, as installed
my $debconf = slurp("$top/conf/chatsession.conf") // '';
like($debconf,
     qr{^Include /usr/share/mod_chatsession/chatsession-locations\.conf$}m,
     'conf/chatsession.conf includes the installed template (uncommented)');
covers('conf/chatsession.conf', $debconf);
like(slurp("$top/Makefile.am") // '',
     qr/^dist_pkgdata_DATA\b[^\n]*(?:\\\n[^\n]*)*conf\/chatsession-locations\.conf/m,
     'make install puts the template in $(pkgdatadir)');

# --- the install walk-through: enables that file, writes no <Location>
my $install = slurp("$top/conf/install-debian.sh") // '';
like($install, qr/^a2enconf -q chatsession$/m,
     'conf/install-debian.sh enables conf-available/chatsession.conf');
unlike($install, qr/<Location/, 'conf/install-debian.sh writes no <Location> of its own');

done_testing();
