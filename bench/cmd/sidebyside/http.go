package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/omshttp"
)

// overHTTP serves eng's omshttp handler on a loopback port of its own and
// returns a placement that sends each order as the JSON body of a POST
// /orders, or several as one POST /orders/batch, over up to callers
// connections, as a storefront or a channel importer calls the service;
// stop shuts the server down.
func overHTTP(eng *oms.Engine, callers int, request func([3]string) oms.PlaceOrderRequest) (place placer, stop func(), err error) {
	h, err := omshttp.New(eng, omshttp.Options{})
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: callers}}
	place = func(ctx context.Context, orders [][3]string) (int, error) {
		if len(orders) == 1 {
			if err := post(ctx, client, base+"/orders", bodyOf(request(orders[0])), http.StatusCreated, nil); err != nil {
				return 0, err
			}
			return 1, nil
		}
		batch := omshttp.PlaceBatchBody{Orders: make([]omshttp.BatchOrderBody, len(orders))}
		for i, skus := range orders {
			batch.Orders[i] = omshttp.BatchOrderBody{PlaceOrderBody: bodyOf(request(skus))}
		}
		var res omshttp.PlaceBatchResult
		if err := post(ctx, client, base+"/orders/batch", batch, http.StatusOK, &res); err != nil {
			return 0, err
		}
		placed := 0
		var first error
		for _, o := range res.Outcomes {
			if o.Status == http.StatusCreated {
				placed++
			} else if first == nil {
				first = fmt.Errorf("POST /orders/batch: an order answered %d: %+v", o.Status, o.Problem)
			}
		}
		return placed, first
	}
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		client.CloseIdleConnections()
	}
	return place, stop, nil
}

// bodyOf is the body of POST /orders placing req.
func bodyOf(req oms.PlaceOrderRequest) omshttp.PlaceOrderBody {
	d := req.Order
	return omshttp.PlaceOrderBody{
		Channel: d.Channel, ExternalRef: d.ExternalRef, Customer: d.Customer,
		ShippingAddress: d.ShippingAddress, Currency: d.Currency, Lines: d.Lines,
		ShippingCharge: &d.ShippingCharge, TaxRate: &d.TaxRate,
		Payment: omshttp.PaymentBody{Gateway: req.Payment.Gateway, Token: req.Payment.Token},
	}
}

// post sends body as JSON to url and decodes the answer into out (when
// not nil); an answer other than want is an error quoting its body.
func post(ctx context.Context, client *http.Client, url string, body any, want int, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return fmt.Errorf("POST %s: %s: %s", req.URL.Path, resp.Status, msg)
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body) // the connection is reused once the body is read
		return err
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
