# POST ChatSession/{id}/Transcript?html=true|false (README "Messages and
# transcripts"): the messages as one JSON string (XML: <string>), text
# lines or an HTML fragment in which every value is escaped; times in the
# request's zone; html other than true/false is 400; 404; rights as GET.
use strict;
use warnings FATAL => 'all';

use lib 't/lib';
use Apache::Test qw(-withtestmore);
use JSON::PP ();
use ChatSession::Test qw(req json_body seed_session db fresh_ids make_caller);

plan tests => 25, need_lwp, need_module('mod_dbd.c');

my $BASE = '/api/v1/ChatSession';
my %C = (ts_none => make_caller('ts_none', level => 'none'),
         ts_read => make_caller('ts_read', level => 'read'));
# $S has a conversation, $S2 no message, $NONE is no session.
my ($S, $S2, $NONE) = fresh_ids(3);
seed_session($S, status => 5);
# The messages as a conversation would have them, at known instants.
my $ins = db()->prepare(q{
    INSERT INTO chat_message (chat_session_id, type, message, author,
                              special_type, special_param, when_posted)
    VALUES (?, ?, ?, ?, ?, ?, ?)});
$ins->execute($S, 3, '', 'tje0', 1, '', '2026-01-02T03:04:05Z');
$ins->execute($S, 2, qq{<script>alert("x")</script>\r\nbye & 'so'},
              'Kari <k@x>', 0, '', '2026-01-02T03:05:00Z');
$ins->execute($S, 1, "line1\nline2", 'tje0', 0, '', '2026-01-02T03:06:00Z');
$ins->execute($S, 3, '', 'tje0', 6, 'ann', '2026-01-02T03:07:00Z');

sub transcript {
    my ($id, $q, @o) = @_;
    return req(POST => "$BASE/$id/Transcript" . ($q // ''), @o);
}
sub text_of {
    my $res = shift;
    my $s = eval { JSON::PP->new->allow_nonref->utf8->decode($res->content) };
    return $s;
}

my $res = transcript($S, '?html=false');
is($res->code, 200, 'text transcript: 200') or diag($res->as_string);
like($res->header('Content-Type'), qr{^application/json}, '... JSON');
like($res->content, qr/^"/, '... one JSON string');
is(text_of($res),
   "2026-01-02 03:04:05 tje0: [Welcome]\n"
   . qq{2026-01-02 03:05:00 Kari <k\@x>: <script>alert("x")</script>\r\nbye & 'so'\n}
   . "2026-01-02 03:06:00 tje0: line1\nline2\n"
   . "2026-01-02 03:07:00 tje0: [TransferedSession ann]\n",
   '... a line per message, specials in brackets');
is(text_of(transcript($S)), text_of($res), 'no html parameter: text');

$res = transcript($S, '?html=TRUE', headers => { 'SO-TimeZone' => 'NO' });
is($res->code, 200, 'HTML transcript: 200');
my $html = text_of($res);
like($html, qr{^<div class="chat-transcript"><p class="special"><span class="when">2026-01-02 04:04:05</span> <b>tje0</b> \[Welcome\]</p>},
     '... a div, a p per message; times in the request zone (NO: +01:00)');
like($html, qr{<b>Kari &lt;k\@x&gt;</b> &lt;script&gt;alert\(&quot;x&quot;\)&lt;/script&gt;<br>bye &amp; &#39;so&#39;</p>},
     '... <script>, quotes, & escaped; CRLF as <br>');
unlike($html, qr{<script}, '... no live script tag');
like($html, qr{<p class="to-customer"><span class="when">2026-01-02 04:06:00</span> <b>tje0</b> line1<br>line2</p>},
     '... to-customer, line breaks as <br>');
like($html, qr{\[TransferedSession ann\]</p></div>$}, '... ends with the div');

$res = transcript($S, '?html=false', headers => { Accept => 'application/xml' });
is($res->code, 200, 'XML: 200');
like($res->content, qr{^<\?xml[^>]*>\s*<string[^>]*>2026-01-02 03:04:05 tje0: \[Welcome\]\n.*&lt;script&gt;.*</string>$}s,
     '... a <string> element, escaped');

seed_session($S2, status => 4);
$res = transcript($S2);
is($res->code . ' ' . $res->content, '200 ""', 'no messages: ""');
is(text_of(transcript($S2, '?html=true')), '<div class="chat-transcript"></div>',
   'no messages, HTML: the empty div');

for my $bad ('maybe', '1', '') {
    $res = transcript($S, "?html=$bad");
    is($res->code, 400, "html=$bad: 400");
    is((json_body($res) || {})->{Field}, 'html', '... naming html');
}
is(transcript($NONE)->code, 404, 'no session: 404');
is(transcript($S, '', auth => $C{ts_none}{auth})->code, 403, 'level none: 403');
is(transcript($S, '', auth => $C{ts_read}{auth})->code, 200,
   'level read: 200 (a transcript reads)');
is(transcript($S, '?html=false', content_type => 'application/json', body => 'null')->code,
   200, 'a body (the client sends null) is ignored');
