#!/usr/bin/perl
# bench/mkmmdb.pl — turn `detente refdata dump` into a MaxMind DB holding
# the same data, so the benchmarks can time libmaxminddb on exactly what
# detente answers from.
#
#   detente --db DB refdata dump | perl bench/mkmmdb.pl OUT.mmdb
#
# Every interval of the dump with a country, an ASN or an organisation is
# inserted with insert_range() as
#   { country => { iso_code => CC }, autonomous_system_number => N,
#     autonomous_system_organization => ORG }
# leaving out unknown fields; intervals with none of the three are skipped
# (flags have no MMDB counterpart).  The tree is IPv6 with IPv4 at ::/96 and
# aliases (::ffff:0:0/96, 2001::/32, 2002::/16 -> IPv4), as MaxMind's own
# GeoIP2/GeoLite2 databases are built; reserved networks are kept.
#
# The aliased ranges and ::/96 cannot hold IPv6 data in such a tree, so the
# parts of IPv6 intervals inside them are dropped (detente has data for
# 2001::/32 and 2002::/16; the benchmarks do not sample there).
#
# Progress goes to stderr.  Writing 1M ranges takes a few minutes and a few
# GB of memory, which is why bench/run.sh caches the result.
use strict;
use warnings;

use MaxMind::DB::Writer::Tree;
use Socket qw(AF_INET6 inet_pton inet_ntop);
use Time::HiRes qw(time);

die "usage: $0 OUT.mmdb < dump.tsv\n" unless @ARGV == 1;
my $out = $ARGV[0];

my %types = (
    country                        => 'map',
    iso_code                       => 'utf8_string',
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
);

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version               => 6,
    record_size              => 28,
    database_type            => 'detente-bench',
    languages                => ['en'],
    description              => { en => 'detente refdata dump, for benchmarks' },
    map_key_type_callback    => sub { $types{ $_[0] } },
    alias_ipv6_to_ipv4       => 1,
    remove_reserved_networks => 0,
);

# Reproducible output: with SOURCE_DATE_EPOCH set, it is the build_epoch of
# the metadata (through the hook the writer keeps for its own tests), so the
# same dump always gives the same bytes.
$tree->_set_build_epoch( $ENV{SOURCE_DATE_EPOCH} )
    if defined $ENV{SOURCE_DATE_EPOCH} && $tree->can('_set_build_epoch');

# IPv6 ranges that belong to IPv4 in an aliased tree, as packed
# [first, last]; string comparison of packed addresses is numeric order.
my @forbidden = map {
    [ inet_pton( AF_INET6, $_->[0] ), inet_pton( AF_INET6, $_->[1] ) ]
} (
    [ '::',          '::ffff:ffff' ],
    [ '::ffff:0:0',  '::ffff:ffff:ffff' ],
    [ '2001::',      '2001:0:ffff:ffff:ffff:ffff:ffff:ffff' ],
    [ '2002::',      '2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff' ],
);

# Packed address + 1 / - 1 (only called where no wrap can happen).
sub inc6 {
    my @w = unpack 'N4', $_[0];
    for ( my $i = 3; $i >= 0; $i-- ) {
        $w[$i] = ( $w[$i] + 1 ) & 0xffffffff;
        last if $w[$i] != 0;
    }
    return pack 'N4', @w;
}

sub dec6 {
    my @w = unpack 'N4', $_[0];
    for ( my $i = 3; $i >= 0; $i-- ) {
        my $was = $w[$i];
        $w[$i] = ( $w[$i] - 1 ) & 0xffffffff;
        last if $was != 0;
    }
    return pack 'N4', @w;
}

# [first, last] packed minus the forbidden ranges, as a list of pairs.
sub clip6 {
    my @todo = ( [@_] );
    for my $f (@forbidden) {
        my @next;
        for my $r (@todo) {
            my ( $a, $b ) = @$r;
            if ( $b lt $f->[0] || $a gt $f->[1] ) {
                push @next, $r;
                next;
            }
            push @next, [ $a, dec6( $f->[0] ) ] if $a lt $f->[0];
            push @next, [ inc6( $f->[1] ), $b ] if $b gt $f->[1];
        }
        @todo = @next;
    }
    return @todo;
}

binmode STDIN, ':encoding(UTF-8)';
my ( %data, $lines, $inserted, $skipped, $clipped );
my $t0   = time;
my $last = $t0;
$lines = $inserted = $skipped = $clipped = 0;

while ( my $line = <STDIN> ) {
    chomp $line;
    my ( $first, $lastip, $cc, $asn, $org ) = split /\t/, $line, 6;
    die "bad dump line $.: $line\n" unless defined $org;
    $lines++;
    if ( $cc eq '-' && $asn eq '-' && $org eq '-' ) {
        $skipped++;
        next;
    }

    # One hashref per distinct answer: the writer keys records by content,
    # sharing the Perl structure saves memory.
    my $d = $data{"$cc\t$asn\t$org"} //= do {
        my %h;
        $h{country} = { iso_code => $cc } if $cc ne '-';
        $h{autonomous_system_number}       = $asn + 0 if $asn ne '-';
        $h{autonomous_system_organization} = $org     if $org ne '-';
        \%h;
    };

    if ( index( $first, ':' ) < 0 ) {
        $tree->insert_range( $first, $lastip, $d );
        $inserted++;
    }
    else {
        my $pa = inet_pton( AF_INET6, $first );
        my $pb = inet_pton( AF_INET6, $lastip );
        my @parts = clip6( $pa, $pb );
        $clipped++ if @parts != 1 || $parts[0][0] ne $pa || $parts[0][1] ne $pb;
        for my $p (@parts) {
            $tree->insert_range( inet_ntop( AF_INET6, $p->[0] ),
                inet_ntop( AF_INET6, $p->[1] ), $d );
            $inserted++;
        }
    }
    if ( time - $last >= 5 ) {
        $last = time;
        printf STDERR "mkmmdb: %d lines, %d ranges inserted, %.0f s\n",
            $lines, $inserted, $last - $t0;
    }
}
printf STDERR
    "mkmmdb: %d lines: %d ranges inserted (%d intervals clipped to leave aliased IPv6 space), %d without data skipped, %d distinct answers; %.1f s\n",
    $lines, $inserted, $clipped, $skipped, scalar( keys %data ), time - $t0;

print STDERR "mkmmdb: writing $out\n";
open my $fh, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($fh);
close $fh or die "$out: $!\n";
printf STDERR "mkmmdb: wrote %s (%d bytes), %.1f s in all\n", $out, -s $out,
    time - $t0;
