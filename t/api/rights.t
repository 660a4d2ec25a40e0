# Authorization (chat_session_right, conf/auth.sql): the rights matrix
# (each level x own/other session x each method), rows untouched by a
# denied write, TableRight and FieldProperties per level, read-only
# fields, update_own keeping its sessions its own, users without a row or
# without an associate, and `Require user` in front of our rights.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use ChatSession::Test qw(req json_body seed_session db fresh_id make_caller);

plan tests => 133, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';

# The callers and their levels; rt_norow has no right row; rt_ro is
# update_all with CustomerName read-only from the start (rights are
# cached with the credential: a change would wait for the TTL, which
# t/api/auth_cache.t tests).
my %LEVEL = (rt_none => 'none', rt_read => 'read', rt_own => 'update_own',
             rt_all => 'update_all', rt_admin => 'admin', rt_norow => undef,
             rt_ro => 'update_all');
my %C = map { $_ => make_caller($_, level => $LEVEL{$_},
                                $_ eq 'rt_ro'
                                    ? (readonly_fields => ['customername'])
                                    : ()) }
        sort keys %LEVEL;
my %AID = map { $_ => $C{$_}{id} } keys %C;

sub as { my $u = shift; return (auth => $C{$u}{auth}) }

sub version { db()->selectrow_array(
                  'SELECT version FROM chat_session WHERE id = ?', undef,
                  shift) }
sub name_of { db()->selectrow_array(
                  'SELECT name FROM chat_session WHERE id = ?',
                  undef, shift) }

# A PUT body: the session as tje0 reads it, with another name.
sub put_body {
    my ($id, $name) = @_;
    my $doc = json_body(req(GET => "$BASE/$id"));
    delete @$doc{qw(TableRight FieldProperties _Links)};
    $doc->{CustomerName} = $name;
    return $doc;
}

sub forbidden {
    my ($res, $name) = @_;
    my $doc = json_body($res);
    ok(ref $doc eq 'HASH' && $doc->{Error}
       && ($doc->{ErrorType} // '') eq 'SoAccessDeniedException',
       "$name: SuperOffice error body");
}

# --- the matrix ------------------------------------------------------------
my %can = (
    none       => { GET => 0, PATCH => 0, PUT => 0, POST => 0, DELETE => 0 },
    read       => { GET => 1, PATCH => 0, PUT => 0, POST => 0, DELETE => 0 },
    update_own => { GET => 1, PATCH => 'own', PUT => 'own', POST => 'own',
                    DELETE => 0 },
    update_all => { GET => 1, PATCH => 1, PUT => 1, POST => 1, DELETE => 0 },
    admin      => { GET => 1, PATCH => 1, PUT => 1, POST => 1, DELETE => 1 },
);
my %table_right = (
    'read:own' => 'Select', 'read:other' => 'Select',
    'update_own:own' => 'Select, Update', 'update_own:other' => 'Select',
    'update_all:own' => 'Select, Update, Insert',
    'update_all:other' => 'Select, Update, Insert',
    'admin:own' => 'FULL', 'admin:other' => 'FULL',
);

my @posted;
for my $u (qw(rt_none rt_read rt_own rt_all rt_admin)) {
    my $lv = $LEVEL{$u};
    for my $whose (qw(own other)) {
        my $owner = $whose eq 'own' ? $AID{$u} : 5;
        my $allowed = sub {
            my $c = $can{$lv}{shift()};
            return $c eq 'own' ? $whose eq 'own' : $c;
        };
        my $t = "$lv, $whose session";
        my $id = fresh_id();

        # GET
        seed_session($id, user_id => $owner, name => 'Before');
        my $res = req(GET => "$BASE/$id", as($u));
        if ($allowed->('GET')) {
            is($res->code, 200, "$t: GET 200");
            my $doc = json_body($res);
            is($doc->{TableRight}{Mask}, $table_right{"$lv:$whose"},
               "$t: TableRight");
            my $cn = $doc->{FieldProperties}{CustomerName}{FieldRight}{Mask};
            if ($table_right{"$lv:$whose"} =~ /Update|FULL/) {
                is($cn, 'Update', "$t: CustomerName writable");
            }
            else {
                like($cn, qr/UIHintReadOnly/, "$t: CustomerName read-only");
            }
        }
        else {
            is($res->code, 403, "$t: GET 403");
            forbidden($res, "$t: GET");
            ok(1, "$t: (no representation)");
        }

        # PATCH, PUT: allowed -> 200 and changed; denied -> 403, untouched
        for my $m (qw(PATCH PUT)) {
            seed_session($id, user_id => $owner, name => 'Before');
            my $v = version($id);
            $res = req($m => "$BASE/$id", as($u),
                       body => $m eq 'PATCH' ? { CustomerName => 'After' }
                                             : put_body($id, 'After'));
            if ($allowed->($m)) {
                is($res->code, 200, "$t: $m 200") or diag($res->content);
                is(name_of($id), 'After', "$t: $m changed the row");
            }
            else {
                is($res->code, 403, "$t: $m 403") or diag($res->content);
                ok(version($id) == $v && name_of($id) eq 'Before',
                   "$t: $m left the row unchanged");
            }
        }

        # POST: own = a session whose User is the caller
        my $before = db()->selectrow_array(
            'SELECT count(*) FROM chat_session');
        $res = req(POST => $BASE, as($u), body => {
            CustomerName => 'Posted', User => { AssociateId => $owner } });
        if ($allowed->('POST')) {
            is($res->code, 200, "$t: POST 200") or diag($res->content);
            my $new = json_body($res) || {};
            is($new->{User}{AssociateId}, $owner, "$t: POST made it");
            push @posted, $new->{ChatSessionId} if $new->{ChatSessionId};
        }
        else {
            is($res->code, 403, "$t: POST 403") or diag($res->content);
            is(db()->selectrow_array('SELECT count(*) FROM chat_session'),
               $before, "$t: POST created nothing");
        }

        # DELETE
        seed_session($id, user_id => $owner);
        $res = req(DELETE => "$BASE/$id", as($u));
        if ($allowed->('DELETE')) {
            is($res->code, 204, "$t: DELETE 204");
            ok(!defined version($id), "$t: DELETE removed the row");
        }
        else {
            is($res->code, 403, "$t: DELETE 403");
            ok(defined version($id), "$t: DELETE left the row");
        }
    }
}

# --- update_own: sessions stay the caller's ---------------------------------
{
    my $id = fresh_id();
    seed_session($id, user_id => $AID{rt_own});
    my $v = version($id);
    my $res = req(PATCH => "$BASE/$id", as('rt_own'),
                  body => { User => { AssociateId => 5 } });
    is($res->code, 403, 'update_own giving the session away: 403');
    is(json_body($res)->{Field}, 'User', '... naming User');
    is(version($id), $v, '... row unchanged');
    $res = req(GET => "$BASE/$id", as('rt_own'));
    like(json_body($res)->{FieldProperties}{User}{FieldRight}{Mask},
         qr/UIHintReadOnly/, 'update_own: User shown read-only');
    $res = req(GET => "$BASE/default", as('rt_own'));
    is(json_body($res)->{TableRight}{Mask}, 'Select, Insert',
       'update_own: template TableRight Select, Insert');
}

# --- a read-only field ----------------------------------------------------
{
    my $id = fresh_id();
    seed_session($id, name => 'Before');
    my $v = version($id);
    my $res = req(PATCH => "$BASE/$id", as('rt_ro'),
                  body => [{ op => 'replace', path => '/CustomerName',
                             value => 'After' }],
                  content_type => 'application/json-patch+json');
    is($res->code, 403, 'read-only field: 403');
    is(json_body($res)->{Field}, 'CustomerName', '... naming the field');
    is(version($id), $v, '... row unchanged');
    $res = req(PATCH => "$BASE/$id", as('rt_ro'),
               body => { CustomerAlias => 'Other field' });
    is($res->code, 200, 'another field of the same session: 200');
    $res = req(PATCH => "$BASE/$id", as('rt_ro'),
               body => { CustomerName => 'Before' });
    is($res->code, 200, 'the read-only field given its own value: 200');
    my $doc = json_body(req(GET => "$BASE/$id", as('rt_ro')));
    like($doc->{FieldProperties}{CustomerName}{FieldRight}{Mask},
         qr/^Read.*UIHintReadOnly/, 'FieldProperties: read-only for them');
    is($doc->{FieldProperties}{CustomerAlias}{FieldRight}{Mask}, 'Update',
       'FieldProperties: other fields Update');
    $res = req(POST => $BASE, as('rt_ro'), body => { CustomerName => 'x' });
    is($res->code, 403, 'POST setting the read-only field: 403');
    push @posted, json_body($res)->{ChatSessionId} // ()
        if $res->code == 200;
}

# --- no right row, not an associate ------------------------------------------
{
    my $id = fresh_id();
    seed_session($id, user_id => $AID{rt_norow});
    my $res = req(GET => "$BASE/$id", as('rt_norow'));
    is($res->code, 200, 'associate without a right row: GET 200');
    is(json_body($res)->{TableRight}{Mask}, 'Select', '... read only');
    is(req(PATCH => "$BASE/$id", as('rt_norow'),
           body => { CustomerName => 'x' })->code, 403,
       '... PATCH of their own session: 403');
    $res = req(GET => "/authfile$BASE/$id", auth => ['filebob', 'Filebob1']);
    is($res->code, 200, 'file-provider user (no associate): GET 200');
    is(json_body($res)->{TableRight}{Mask}, 'Select', '... read only');
    is(req(DELETE => "/authfile$BASE/$id",
           auth => ['filebob', 'Filebob1'])->code, 403, '... DELETE 403');
}

# --- Require user in front of our rights ---------------------------------
{
    my $id = fresh_id();
    seed_session($id, user_id => $AID{rt_read});
    my $res = req(GET => "/requser$BASE/$id", as('rt_read'));
    is($res->code, 200, 'Require user: listed user: GET 200');
    is(req(PATCH => "/requser$BASE/$id", as('rt_read'),
           body => { CustomerName => 'x' })->code, 403,
       'Require user: listed user, our rights refuse PATCH: 403');
    is(req(GET => "/requser$BASE/$id", as('rt_admin'))->code, 403,
       'Require user: unlisted admin: 403 from mod_authz_core');
    is(req(PATCH => "/requser$BASE/$id", body => { CustomerName => 'y' })
           ->code, 200, 'Require user: tje0 (admin): PATCH 200');
}

db()->do('DELETE FROM chat_session WHERE id = ?', undef, $_) for @posted;