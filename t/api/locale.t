# Languages: [SR_...] string resources in rendered strings, translated
# from string_resource (conf/locale.sql) per SO-Language / Accept-Language
# (modules/handlers/mod_chats_locale.h); no language, or an empty/*/x/-
# one: raw.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session fresh_id);

my $ID = fresh_id();
my $URL = "/api/v1/ChatSession/$ID";

my %RAW = (
    FirstMessage => '[SR_MANDATORY_FIELD_1281]',
    LastMessage  => 'a [SR_CHAT_SESSION] b [SR_ONLY_ENGLISH] c [SR_UNKNOWN_1] d',
    CustomerName => '[SR_] [SR_NO_ACCESS [SR_NO_ACCESS]',
);
my %EN = (
    FirstMessage => 'This field is mandatory',
    LastMessage  => 'a Chat session b Only in English c [SR_UNKNOWN_1] d',
    CustomerName => '[SR_] [SR_NO_ACCESS You do not have access to this',
);
my %NB = (
    FirstMessage => 'Dette feltet er obligatorisk',
    LastMessage  => "a Chatte\x{f8}kt b Only in English c [SR_UNKNOWN_1] d",
    CustomerName => '[SR_] [SR_NO_ACCESS Du har ikke tilgang til dette',
);

my @CASES = (
    # [ what, headers, expected ]
    [ 'no language header', [], \%RAW ],
    [ 'SO-Language nb-no', ['SO-Language' => 'nb-no'], \%NB ],
    [ 'SO-Language NB-NO', ['SO-Language' => 'NB-NO'], \%NB ],
    [ 'SO-Language no (alias of nb)', ['SO-Language' => 'no'], \%NB ],
    [ 'SO-Language nn (falls to nb)', ['SO-Language' => 'nn'], \%NB ],
    [ 'SO-Language en', ['SO-Language' => 'en'], \%EN ],
    [ 'SO-Language en-US', ['SO-Language' => 'en-US'], \%EN ],
    [ 'SO-Language de: default language', ['SO-Language' => 'de'], \%EN ],
    [ 'SO-Language empty', ['SO-Language' => ''], \%RAW ],
    [ 'SO-Language *', ['SO-Language' => '*'], \%RAW ],
    [ 'SO-Language x', ['SO-Language' => 'x'], \%RAW ],
    [ 'SO-Language X', ['SO-Language' => 'X'], \%RAW ],
    [ 'SO-Language -', ['SO-Language' => '-'], \%RAW ],
    [ 'Accept-Language nb', ['Accept-Language' => 'nb-NO,nb;q=0.9,en;q=0.8'],
      \%NB ],
    [ 'Accept-Language by q', ['Accept-Language' => 'en;q=0.5, nb'], \%NB ],
    [ 'Accept-Language q=0 excluded',
      ['Accept-Language' => 'nb;q=0, en;q=0.1'], \%EN ],
    [ 'Accept-Language de-DE: default', ['Accept-Language' => 'de-DE'], \%EN ],
    [ 'Accept-Language empty', ['Accept-Language' => ''], \%RAW ],
    [ 'Accept-Language *', ['Accept-Language' => '*'], \%RAW ],
    [ 'Accept-Language garbage', ['Accept-Language' => ';;,=,'], \%RAW ],
    [ 'SO-Language overrides Accept-Language',
      ['SO-Language' => 'en', 'Accept-Language' => 'nb'], \%EN ],
    [ 'empty SO-Language overrides Accept-Language',
      ['SO-Language' => '', 'Accept-Language' => 'nb'], \%RAW ],
    [ 'SO-Culture without a language: ignored',
      ['SO-Culture' => 'nb-NO'], \%RAW ],
    [ 'SO-Culture with a language', ['SO-Culture' => 'en-GB',
                                     'SO-Language' => 'nb'], \%NB ],
    [ 'the official client: both headers, same value',
      ['SO-Language' => 'nb-NO', 'Accept-Language' => 'nb-NO',
       'SO-Culture' => 'nb-NO'], \%NB ],
    [ 'the official client: DoNotParse',
      ['Accept-Language' => '', 'SO-Language' => ''], \%RAW ],
);

plan tests => 4 * @CASES + 2, need_lwp, need_module('mod_dbd.c');

seed_session($ID, first_message => $RAW{FirstMessage},
             last_message => $RAW{LastMessage}, name => $RAW{CustomerName});

for my $c (@CASES) {
    my ($what, $h, $want) = @$c;
    my $res = req(GET => $URL, headers => $h);
    is($res->code, 200, "$what: 200") or diag($res->as_string);
    my $doc = json_body($res) || {};
    for my $f (sort keys %$want) {
        is($doc->{$f}, $want->{$f}, "$what: $f");
    }
}

# A translated GET leaves the stored row raw.
my $res = req(GET => $URL, headers => ['SO-Language' => 'nb']);
$res = req(GET => $URL);
my $doc = json_body($res) || {};
is($doc->{FirstMessage}, $RAW{FirstMessage}, 'stored text is untouched');
is($doc->{LastMessage}, $RAW{LastMessage}, 'stored text is untouched (2)');
