package ChatSession::JWT;

# Test keys and JWTs for the Bearer scheme, with core Perl and the openssl
# command only.  make_keys() runs from t/TEST.PL before httpd starts and
# writes into t/conf/ (git-ignored):
#   jwt-rsa1.key/.pub  jwt-rsa2.key/.pub  jwt-rsa3.key/.pub (not trusted)
#   jwt-ec1.key/.pub   jwt-hs.secret      jwt-oct1.secret
#   jwks.json          rsa-1, rsa-2, ec-1 and oct-1 (the jwt-oct1 secret)
# jwt(...) builds a compact JWS the tests send.

use strict;
use warnings;

use Exporter 'import';
use Carp qw(croak);
use File::Spec ();
use File::Temp ();
use JSON::PP ();
use MIME::Base64 qw(encode_base64url);
use Digest::SHA qw(hmac_sha256);

our @EXPORT_OK = qw(make_keys jwt b64u key_file slurp);

my $JSON = JSON::PP->new->canonical;

sub b64u { return encode_base64url(shift) }

sub slurp {
    my $f = shift;
    open my $fh, '<:raw', $f or croak "$f: $!";
    local $/;
    return scalar <$fh>;
}

sub spew {
    my ($f, $data, $mode) = @_;
    open my $fh, '>:raw', $f or croak "$f: $!";
    print {$fh} $data;
    close $fh or croak "$f: $!";
    chmod $mode, $f if defined $mode;
}

sub openssl {
    my @cmd = ('openssl', @_);
    open my $fh, '-|', @cmd or croak "openssl: $!";
    binmode $fh;
    local $/;
    my $out = <$fh>;
    close $fh or croak "@cmd failed";
    return $out;
}

my $CONF_DIR;
sub conf_dir {
    return $CONF_DIR if $CONF_DIR;
    require Apache::Test;
    return $CONF_DIR = Apache::Test::vars('t_conf');
}

sub key_file { return File::Spec->catfile(conf_dir(), shift) }

# Bytes of the hex dump that `openssl pkey -text` prints after $label.
sub text_hex {
    my ($text, $label) = @_;
    $text =~ /^\Q$label\E:?\s*\n((?:\s+[0-9a-f:]+\n)+)/m
        or croak "no $label in openssl output";
    (my $hex = $1) =~ s/[\s:]//g;
    return pack 'H*', $hex;
}

sub rsa_jwk {
    my ($pub, $kid) = @_;
    my $text = openssl('pkey', '-pubin', '-in', $pub, '-text', '-noout');
    my $n = text_hex($text, 'Modulus');
    $n =~ s/^\0+//;
    $text =~ /Exponent: (\d+)/ or croak "no exponent";
    my $e = pack 'N', $1;
    $e =~ s/^\0+//;
    return { kty => 'RSA', kid => $kid, use => 'sig', alg => 'RS256',
             n => b64u($n), e => b64u($e) };
}

sub ec_jwk {
    my ($pub, $kid) = @_;
    my $pt = text_hex(openssl('pkey', '-pubin', '-in', $pub, '-text',
                              '-noout'), 'pub');
    croak 'not an uncompressed P-256 point'
        unless length $pt == 65 && substr($pt, 0, 1) eq "\x04";
    return { kty => 'EC', kid => $kid, use => 'sig', crv => 'P-256',
             x => b64u(substr($pt, 1, 32)), y => b64u(substr($pt, 33, 32)) };
}

# make_keys($dir): the keys above, once (kept while t/conf/jwks.json is).
sub make_keys {
    my $dir = shift;
    $CONF_DIR = $dir;
    return if -s key_file('jwks.json');
    for my $k (qw(rsa1 rsa2 rsa3)) {
        openssl('genpkey', '-quiet', '-algorithm', 'RSA', '-pkeyopt',
                'rsa_keygen_bits:2048', '-out', key_file("jwt-$k.key"));
    }
    openssl('genpkey', '-quiet', '-algorithm', 'EC', '-pkeyopt',
            'ec_paramgen_curve:P-256', '-out', key_file('jwt-ec1.key'));
    for my $k (qw(rsa1 rsa2 rsa3 ec1)) {
        openssl('pkey', '-in', key_file("jwt-$k.key"), '-pubout', '-out',
                key_file("jwt-$k.pub"));
    }
    spew(key_file('jwt-hs.secret'), unpack('H*', openssl('rand', 32)) . "\n",
         0600);
    spew(key_file('jwt-oct1.secret'), openssl('rand', 32), 0600);
    my $jwks = { keys => [
        rsa_jwk(key_file('jwt-rsa1.pub'), 'rsa-1'),
        rsa_jwk(key_file('jwt-rsa2.pub'), 'rsa-2'),
        ec_jwk(key_file('jwt-ec1.pub'), 'ec-1'),
        { kty => 'oct', kid => 'oct-1', use => 'sig', alg => 'HS256',
          k => b64u(slurp(key_file('jwt-oct1.secret'))) },
        # An encryption key is not ours to use: skipped.
        { kty => 'RSA', kid => 'enc-1', use => 'enc', n => 'AQAB',
          e => 'AQAB' },
    ] };
    spew(key_file('jwks.json'), $JSON->encode($jwks));
}

# ES256: OpenSSL's DER signature -> JWS r||s.
sub der_to_raw {
    my $der = shift;
    my @b = unpack 'C*', $der;
    my $i = 2;
    $i++ if $b[1] & 0x80;
    my @parts;
    for (1 .. 2) {
        croak 'bad DER' unless $b[$i++] == 2;
        my $len = $b[$i++];
        my $v = pack 'C*', @b[$i .. $i + $len - 1];
        $i += $len;
        $v =~ s/^\0+//;
        push @parts, ("\0" x (32 - length $v)) . $v;
    }
    return join '', @parts;
}

sub sign_with {
    my ($alg, $key, $input) = @_;
    if ($alg eq 'HS256') {
        return hmac_sha256($input, $key);
    }
    my $tmp = File::Temp->new;
    binmode $tmp;
    print {$tmp} $input;
    close $tmp;
    my $sig = openssl('dgst', '-sha256', '-binary', '-sign', $key, "$tmp");
    return $alg eq 'ES256' ? der_to_raw($sig) : $sig;
}

# jwt(claims => {...}, header => {...}, key => 'rsa1' | 'rsa2' | 'rsa3'
#     | 'ec1' | 'hs' | 'oct1' | \'raw secret', alg => 'RS256', sig => ...)
# The default header is {alg, typ: JWT} plus kid when given; a defined
# `sig` replaces the signature bytes.
sub jwt {
    my %o = @_;
    my $alg = $o{alg} || 'RS256';
    my $hdr = $o{header} || { alg => $alg, typ => 'JWT',
                              (defined $o{kid} ? (kid => $o{kid}) : ()) };
    my $input = b64u(ref $hdr ? $JSON->encode($hdr) : $hdr) . '.'
              . b64u(ref $o{claims} ? $JSON->encode($o{claims})
                                    : $o{claims});
    my $sig = $o{sig};
    unless (defined $sig) {
        my $k = $o{key} || 'rsa1';
        my $key = ref $k ? $$k
                : $k eq 'hs' ? do { (my $s = slurp(key_file('jwt-hs.secret')))
                                        =~ s/\n\z//; $s }
                : $k eq 'oct1' ? slurp(key_file('jwt-oct1.secret'))
                : key_file("jwt-$k.key");
        $sig = sign_with($alg, $key, $input);
    }
    return "$input." . b64u($sig);
}

1;
