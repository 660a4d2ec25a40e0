# conf/schema.sql against the field table
# (modules/core/schema/chats_schema.c and chats_carriers.c), as the test
# cluster has it after loading schema.sql:
# the field table is what the code reads and writes, schema.sql what the
# database holds, and the two are edited by hand in different files.
# This test fails when they disagree:
# - every field's column is on chat_session, of the type the statements
#   bind (chats_sql.c's param_cast), nullable exactly when the field has a
#   null (date-times, carriers, "0 is NULL" ids), a string's varchar
#   length the field's max_len, enum values within smallint;
# - the key field is the primary key; every foreign key of chat_session
#   is on a field's column, named as chats_schema_fk_name says (the store
#   names the field of a violation from that name), a carrier's one
#   referencing its table's key;
# - chat_session has no column the field table does not know, but the
#   bookkeeping ones the statements use (version, updated_at,
#   last_message_id, has_text_message, updated_by);
# - chat_message against the ChatMessage field table (chats_message.c):
#   a column per field, of its type, NOT NULL (the server stamps
#   WhenPosted), varchar lengths, the key, no other column, the session
#   reference cascading; chat_topic_member's roles;
# - every carrier's table has its key as primary key and each stored
#   member's column; a looked-up member's table is keyed by the lookup's
#   key (a scalar subquery must find one row at most) and holds its
#   column; a derived member's expression runs and gives its type.
# The field table comes from the chats-schema tool; no httpd, DBI only.
#
#   CHATS_SCHEMA  the tool (default: <top>/chats-schema)
use strict;
use warnings;

use File::Spec;
use FindBin;
use lib "$FindBin::Bin/../lib";
use ChatSession::Engine qw(repo_top engine_db);
use JSON::PP;
use Test::More;

my $tool = $ENV{CHATS_SCHEMA}
    || File::Spec->catfile(repo_top(), 'chats-schema');
my $TABLE = 'chat_session';

# The column types a field type is stored in (pg_type.typname): what the
# statements cast their parameters to and read back.
my %COLTYPE = (
    int32 => ['int4'], int16 => ['int2'], double => ['float8'],
    string => ['varchar', 'text'], bool => ['bool'],
    datetime => ['timestamptz'], enum => ['int2'], flags => ['int2'],
    carrier => ['int4'],
);

# chat_session's columns that are no field, and why they are there.
my %BOOKKEEPING = (
    version    => 'int8',          # the strong ETag; bumped by every write
    updated_at => 'timestamptz',   # Last-Modified
    # the last message's id, taken under the row lock (NULL: none yet)
    last_message_id  => ['int4', 'nullable'],
    # a ToUser/ToCustomer message exists: FirstMessage is set once
    has_text_message => 'bool',
    # who wrote the row last through the module (a webhook event's
    # ChangedByAssociateId; NULL: no associate, or SQL from elsewhere)
    updated_by => ['int4', 'nullable'],
    # what the module's own last write captured of its webhook events
    # (version 8): the version it wrote, which the capture triggers then
    # leave alone, and the fields it changed, a bit each
    webhook_version => ['int8', 'nullable'],
    webhook_changes => ['int8', 'nullable'],
);

my $dbh = engine_db();

# ------------------------------------------------------ the field table
ok(-x $tool, "the tool $tool is built") or done_testing(), exit;
my $out = `$tool`;
is($?, 0, 'chats-schema exits 0');
my $table = eval { decode_json($out) };
ok($table && @{ $table->{fields} || [] }, 'chats-schema prints the fields')
    or diag($@), done_testing(), exit;
my @fields = @{ $table->{fields} };

# ------------------------------------------------------ the database
# name => { type, len (varchar's, or undef), nullable }, or undef.
sub columns {
    my ($t) = @_;
    my $rows = $dbh->selectall_arrayref(q{
        SELECT column_name, udt_name, character_maximum_length,
               is_nullable = 'YES'
          FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1},
        undef, $t);
    return undef unless @$rows;
    return { map { $_->[0] => { type => $_->[1], len => $_->[2],
                                nullable => $_->[3] } } @$rows };
}

sub primary_key {
    my ($t) = @_;
    my $cols = $dbh->selectcol_arrayref(q{
        SELECT a.attname
          FROM pg_index i
          JOIN pg_attribute a ON a.attrelid = i.indrelid
                             AND a.attnum = ANY (i.indkey)
         WHERE i.indrelid = to_regclass($1) AND i.indisprimary},
        undef, $t);
    return join(',', sort @$cols);
}

# Single-column foreign keys of a table: column => [name, table, column].
sub foreign_keys {
    my ($t) = @_;
    my $rows = $dbh->selectall_arrayref(q{
        SELECT c.conname, a.attname, cf.relname, af.attname,
               cardinality(c.conkey)
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid
                             AND a.attnum = c.conkey[1]
          JOIN pg_class cf ON cf.oid = c.confrelid
          JOIN pg_attribute af ON af.attrelid = c.confrelid
                              AND af.attnum = c.confkey[1]
         WHERE c.contype = 'f' AND c.conrelid = to_regclass($1)},
        undef, $t);
    return $rows;
}

# The type (typname) of a derived member's expression over a row of $t.
sub expr_type {
    my ($t, $expr) = @_;
    (my $sql = $expr) =~ s/\$A/a/g;
    my ($type) = eval {
        $dbh->selectrow_array("SELECT t.typname FROM pg_type t WHERE t.oid ="
                              . " (SELECT pg_typeof($sql)::oid FROM (VALUES"
                              . " (1)) d LEFT JOIN $t a ON false)")
    };
    my ($why) = $@ =~ /ERROR:\s*([^\n]*)/;
    return $type // "(fails: " . ($why // $@) . ")";
}

sub type_ok {
    my ($type, $col, $what) = @_;
    my $want = $COLTYPE{$type};
    if (!$want) {
        fail("$what: field type '$type' is known to t/engine/schema.t");
        return;
    }
    ok(grep({ $_ eq $col->{type} } @$want),
       "$what: $col->{type} stores $type")
        or diag("want " . join(' or ', @$want));
}

# Enum values fit the smallint they are stored in; a flags set, all of
# its bits at once.
sub enums_fit {
    my ($f, $what) = @_;
    my @v = map { $_->{value} } @{ $f->{enums} || [] };
    my $max = 0;
    $max = $f->{type} eq 'flags' ? $max | $_ : ($_ > $max ? $_ : $max)
        for @v;
    ok(!grep({ $_ < -32768 } @v) && $max <= 32767,
       "$what: values fit smallint");
}

# ------------------------------------------------------ chat_session
my $cs = columns($TABLE);
ok($cs, "table $TABLE exists") or done_testing(), exit;
my %field_of;

for my $f (@fields) {
    my $what = "$f->{name} ($TABLE.$f->{column})";
    my %flag = map { $_ => 1 } @{ $f->{flags} };
    my $col = $cs->{ $f->{column} };

    ok(!$field_of{ $f->{column} }, "$what: no other field on the column")
        or diag("also $field_of{ $f->{column} }");
    $field_of{ $f->{column} } = $f->{name};
    ok($col, "$what: column exists") or next;
    type_ok($f->{type}, $col, $what);
    # NULL is how a missing date-time, carrier or "0" id is stored; a
    # field with no null must not meet one when it is read.
    my $has_null = $f->{type} eq 'datetime' || $f->{type} eq 'carrier'
                   || $flag{zero_null};
    is($col->{nullable} ? 1 : 0, $has_null ? 1 : 0,
       "$what: " . ($has_null ? 'nullable' : 'NOT NULL'));
    if ($f->{type} eq 'string' && defined $col->{len}) {
        is($col->{len}, $f->{max_len},
           "$what: varchar($col->{len}) is max_len");
    }
    enums_fit($f, $what) if $f->{enums};
    if ($flag{key}) {
        is(primary_key($TABLE), $f->{column}, "$what: the primary key");
    }
}

for my $c (sort keys %BOOKKEEPING) {
    my $col = $cs->{$c};
    my ($type, $null) = ref $BOOKKEEPING{$c} ? @{ $BOOKKEEPING{$c} }
                                             : ($BOOKKEEPING{$c});
    ok($col && $col->{type} eq $type && !$col->{nullable} == !$null,
       "$TABLE.$c: $type " . ($null ? 'nullable' : 'NOT NULL')
       . ', used by the statements');
}
my @unknown = grep { !$field_of{$_} && !$BOOKKEEPING{$_} } sort keys %$cs;
is_deeply(\@unknown, [], "no $TABLE column unknown to the field table")
    or diag('add a field for it, or list it in %BOOKKEEPING with why');

# Foreign keys: the name the store maps back to a field, and a carrier's
# pointing at its table's key.
my %fk = map { $_->[1] => $_ } @{ foreign_keys($TABLE) };
for my $k (sort keys %fk) {
    my ($name, $c, $ft, $fc, $ncols) = @{ $fk{$k} };
    my ($f) = grep { ($_->{column} // '') eq $c } @fields;
    my $want = $f ? $f->{fk_name} // '' : '';
    ok($ncols == 1 && $field_of{$c} && $name eq $want,
       "foreign key $name: on one field's column, named as the field table "
       . "says ($want), so the store maps it back to its field");
}
for my $f (grep { $_->{carrier} } @fields) {
    my $c = $f->{carrier};
    my $key = $c->{fields}[0]{column};
    my $fk = $fk{ $f->{column} };
    ok($fk && $fk->[2] eq $c->{table} && $fk->[3] eq $key,
       "$f->{name}: $TABLE.$f->{column} references $c->{table}($key)");
}

# ------------------------------------------------------ carriers
my %seen;
for my $c (map { $_->{carrier} } grep { $_->{carrier} } @fields) {
    next if $seen{ $c->{table} }++;
    my $cols = columns($c->{table});
    ok($cols, "carrier $c->{type_name}: table $c->{table} exists") or next;
    my $key = $c->{fields}[0];
    is(primary_key($c->{table}), $key->{column},
       "carrier $c->{type_name}: $key->{name} is the primary key");
    for my $s (@{ $c->{fields} }) {
        check_member($c, $cols, $s);
    }
}

sub check_member {
    my ($c, $cols, $s) = @_;
    my $what = "$c->{type_name}.$s->{name}";
    my $l = $s->{lookup};
    my ($t, $tcols) = ($c->{table}, $cols);

    enums_fit($s, $what) if $s->{enums};
    if ($l) {
        my $via = $cols->{ $l->{via} };
        ok($via, "$what: $c->{table}.$l->{via} exists (looked up by)")
            or return;
        $tcols = columns($l->{table});
        ok($tcols && primary_key($l->{table}) eq $l->{key},
           "$what: $l->{table} is keyed by $l->{key}") or return;
        is($via->{type}, $tcols->{ $l->{key} }{type},
           "$what: $l->{via} and $l->{table}.$l->{key} have one type");
        $t = $l->{table};
    }
    if (defined $s->{expr}) {
        my $type = expr_type($t, $s->{expr});
        type_ok($s->{type}, { type => $type }, "$what: expression over $t");
        return;
    }
    my $col = $tcols->{ $s->{column} };
    ok($col, "$what: $t.$s->{column} exists") or return;
    type_ok($s->{type}, $col, "$what ($t.$s->{column})");
}

# ------------------------------------------------------ chat_message
{
    my $mt = $table->{message_table};
    my @mf = @{ $table->{message_fields} || [] };
    ok($mt && @mf, 'chats-schema prints the ChatMessage fields');
    my $mc = columns($mt);
    ok($mc, "table $mt exists") or done_testing(), exit;
    my %mfield;
    for my $f (@mf) {
        my $what = "ChatMessage.$f->{name} ($mt.$f->{column})";
        my %flag = map { $_ => 1 } @{ $f->{flags} };
        my $col = $mc->{ $f->{column} };
        $mfield{ $f->{column} } = $f->{name};
        ok($col, "$what: column exists") or next;
        type_ok($f->{type}, $col, $what);
        ok(!$col->{nullable}, "$what: NOT NULL (a message is whole)");
        if ($f->{type} eq 'string' && defined $col->{len}) {
            is($col->{len}, $f->{max_len},
               "$what: varchar($col->{len}) is max_len");
        }
        enums_fit($f, $what) if $f->{enums};
        is(primary_key($mt), $f->{column}, "$what: the primary key")
            if $flag{key};
    }
    my @extra = grep { !$mfield{$_} } sort keys %$mc;
    is_deeply(\@extra, [], "no $mt column unknown to the ChatMessage table");
    my ($fk) = grep { $_->[1] eq 'chat_session_id' } @{ foreign_keys($mt) };
    ok($fk && $fk->[2] eq $TABLE && $fk->[3] eq 'id',
       "$mt.chat_session_id references $TABLE(id)");
    is(scalar $dbh->selectrow_array(q{
           SELECT confdeltype FROM pg_constraint
            WHERE conrelid = 'chat_message'::regclass AND contype = 'f'}),
       'c', 'deleting a session deletes its messages');
    ok(scalar $dbh->selectrow_array(q{
           SELECT count(*) FROM pg_trigger
            WHERE tgrelid = 'chat_message'::regclass
              AND tgname = 'chat_message_notify'}),
       'new messages are announced (trigger chat_message_notify)');

    my $tm = columns('chat_topic_member');
    ok($tm && (grep { $tm->{$_} && $tm->{$_}{type} eq 'bool'
                      && !$tm->{$_}{nullable} }
               qw(can_respond notifications listen manager)) == 4,
       'chat_topic_member has the four roles, NOT NULL');
    is(primary_key('chat_topic_member'), 'associate_id,topic_id',
       'chat_topic_member: one row per associate and topic');
    ok(scalar $dbh->selectrow_array(q{
           SELECT count(*) FROM pg_indexes
            WHERE indexname = 'chat_session_queue_idx'}),
       'the queue index (status, when_requested, id) exists');
}

# The carriers' rendering functions live in the database: the shipped
# conf/render.sql is what the field table makes of them.
{
    my $generated = `"$tool" --render-sql`;
    is($?, 0, 'chats-schema --render-sql runs');
    my $file = File::Spec->catfile(repo_top(), 'conf', 'render.sql');
    open my $fh, '<', $file or die "$file: $!";
    my $shipped = do { local $/; <$fh> };
    close $fh;
    ok($shipped eq $generated, 'conf/render.sql is up to date '
       . '(regenerate: chats-schema --render-sql > conf/render.sql)');
    for my $fn (qw(associate person contact project sale ticket)) {
        ok(scalar $dbh->selectrow_array(
               q{SELECT count(*) FROM pg_proc WHERE proname = ?}, undef,
               "chats_carrier_$fn"),
           "chats_carrier_$fn is in the test database");
    }
}

done_testing();
