package uuidv7

import (
	"encoding/hex"

	"github.com/google/uuid"
)

// AppendText appends id's canonical text form
// (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, lower case), the one id.String
// returns, to b without allocating beyond b's growth.
func AppendText(b []byte, id uuid.UUID) []byte {
	var buf [36]byte
	hex.Encode(buf[0:8], id[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], id[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], id[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], id[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], id[10:])
	return append(b, buf[:]...)
}
