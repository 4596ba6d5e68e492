package product

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Sealer encrypts values at rest with the instance's data key;
// *keyring.Keyring is one.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Unseal(ciphertext, aad []byte) ([]byte, error)
}

// sealedPrefix marks a sealed contact in the store; a value without it was
// stored before contacts were sealed and is read as it is (and sealed at
// the next write).
const sealedPrefix = "sealed:v1:"

// SealContacts seals c's webhook and robot URLs, which carry the tokens
// that let anyone post to the customer's systems and group chats, and its
// e-mail address (personal information), for storing in organisation
// org's list: encrypted at rest like the other contact secrets, bound to
// the organisation and the field.
func SealContacts(sl Sealer, org int64, c *Customer) error {
	for _, f := range contactFields(c) {
		if *f.value == "" || strings.HasPrefix(*f.value, sealedPrefix) {
			continue
		}
		b, err := sl.Seal([]byte(*f.value), contactAAD(org, f.name))
		if err != nil {
			return fmt.Errorf("product: seal the %s of customer %q: %w", f.name, c.Name, err)
		}
		*f.value = sealedPrefix + base64.StdEncoding.EncodeToString(b)
	}
	return nil
}

// OpenContacts opens the sealed contacts of organisation org's customers
// as read from the store.
func OpenContacts(sl Sealer, org int64, cs []Customer) error {
	for i := range cs {
		for _, f := range contactFields(&cs[i]) {
			enc, ok := strings.CutPrefix(*f.value, sealedPrefix)
			if !ok {
				continue
			}
			b, err := base64.StdEncoding.DecodeString(enc)
			if err == nil {
				b, err = sl.Unseal(b, contactAAD(org, f.name))
			}
			if err != nil {
				return fmt.Errorf("product: open the %s of customer %q: %w", f.name, cs[i].Name, err)
			}
			*f.value = string(b)
		}
	}
	return nil
}

type contactField struct {
	name  string
	value *string
}

func contactFields(c *Customer) []contactField {
	return []contactField{{"webhook_url", &c.WebhookURL}, {"robot_url", &c.RobotURL}, {"email", &c.Email}}
}

func contactAAD(org int64, field string) []byte {
	return []byte("customer-contact:" + strconv.FormatInt(org, 10) + ":" + field)
}
