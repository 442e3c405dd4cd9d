# swift-argument-parser's generate-manual (1.8.2) drops every non-ASCII character from the pages it
# writes ("fr" for "für"). scripts/release.sh therefore feeds it the programs' help with German
# letters spelled out in ASCII. The input is JSON (--experimental-dump-help): quotes become \".
s/ä/ae/g
s/ö/oe/g
s/ü/ue/g
s/Ä/Ae/g
s/Ö/Oe/g
s/Ü/Ue/g
s/ß/ss/g
s/„/\\"/g
s/“/\\"/g
s/”/\\"/g
s/‚/'/g
s/‘/'/g
s/’/'/g
s/–/-/g
s/—/-/g
s/…/.../g
s/→/->/g
s/×/x/g
s/§/Par. /g
