<?php
/**
 * The requests the plugin sends and how it reads the answers, without a network.
 */

use PHPUnit\Framework\TestCase;

final class ClientTest extends TestCase {
	private const SETTINGS = array(
		'url'        => 'http://ringkas.test:8000/',
		'api_key'    => 'rk_secret',
		'length'     => 'short',
		'translate'  => true,
		'on_publish' => false,
	);

	private static function response( int $status, string $body, array $headers = array() ): array {
		return array( 'response' => array( 'code' => $status ), 'body' => $body, 'headers' => $headers );
	}

	public function test_a_summary_request_sends_the_html_and_the_sites_choices_with_the_key(): void {
		list( $method, $url, $args ) = ( new Ringkas_Client( self::SETTINGS ) )->summarize_request( '<p>Isi artikel.</p>' );
		$this->assertSame( 'POST', $method );
		$this->assertSame( 'http://ringkas.test:8000/v1/summarize', $url );
		$this->assertSame( array( 'html' => '<p>Isi artikel.</p>', 'length' => 'short', 'translate' => true ), json_decode( $args['body'], true ) );
		$this->assertSame( 'Bearer rk_secret', $args['headers']['Authorization'] );
		$this->assertSame( 'id-ID', $args['headers']['Accept-Language'] );
		$this->assertSame( 'application/json', $args['headers']['Content-Type'] );
		$this->assertGreaterThanOrEqual( 30, $args['timeout'] );
		$this->assertSame( 0, $args['redirection'] ); // A redirect must not carry the key elsewhere.
	}

	public function test_no_key_no_authorization_header(): void {
		list( , , $args ) = ( new Ringkas_Client( array_merge( self::SETTINGS, array( 'api_key' => '' ) ) ) )->summarize_request( 'x' );
		$this->assertArrayNotHasKey( 'Authorization', $args['headers'] );
	}

	public function test_the_transport_is_called_with_the_built_request(): void {
		$seen   = array();
		$client = new Ringkas_Client(
			self::SETTINGS,
			static function ( $method, $url, $args ) use ( &$seen ) {
				$seen = array( $method, $url );
				return array( 'response' => array( 'code' => 200 ), 'body' => '{"summary": {"text": "Ringkas."}}', 'headers' => array() );
			}
		);
		$answer = $client->summarize( '<p>x</p>' );
		$this->assertSame( array( 'POST', 'http://ringkas.test:8000/v1/summarize' ), $seen );
		$this->assertTrue( $answer['ok'] );
		$this->assertSame( 'Ringkas.', $answer['data']['summary']['text'] );
	}

	public function test_answers_become_the_editors_words_with_the_services_detail_apart(): void {
		$refused = Ringkas_Client::read( self::response( 403, '{"status": 403, "detail": "the API key is not valid"}' ) );
		$this->assertFalse( $refused['ok'] );
		$this->assertSame( 'key-refused', $refused['code'] );
		$this->assertStringContainsString( 'refused the API key', $refused['message'] );
		$this->assertSame( 'the API key is not valid', $refused['detail'] );

		$foreign = Ringkas_Client::read( self::response( 422, '{"detail": "looks English", "detected_language": {"code": "eng_Latn"}}' ) );
		$this->assertSame( 'not-indonesian', $foreign['code'] );

		$down = Ringkas_Client::read( new WP_Error( 'http_request_failed', 'cURL error 7: Failed to connect' ) );
		$this->assertSame( 'unreachable', $down['code'] );
		$this->assertStringContainsString( 'Failed to connect', $down['detail'] );

		$garbled = Ringkas_Client::read( self::response( 200, '<html>proxy page</html>' ) );
		$this->assertSame( 'bad-answer', $garbled['code'] );

		$teapot = Ringkas_Client::read( self::response( 418, '' ) );
		$this->assertSame( 'failed', $teapot['code'] );
	}

	public function test_no_service_address_is_said_before_anything_is_sent(): void {
		$called = false;
		$client = new Ringkas_Client(
			array_merge( self::SETTINGS, array( 'url' => '' ) ),
			static function () use ( &$called ) {
				$called = true;
			}
		);
		$this->assertSame( 'not-configured', $client->summarize( 'x' )['code'] );
		$this->assertFalse( $called );
	}

	public function test_job_results_are_read_line_by_line_with_where_to_resume(): void {
		$body   = "{\"id\": 7, \"index\": 0, \"status\": \"done\"}\n\nnot json\n{\"id\": 9, \"index\": 2, \"status\": \"failed\"}\n";
		$client = new Ringkas_Client(
			self::SETTINGS,
			static function ( $method, $url ) use ( $body ) {
				TestCase::assertStringEndsWith( '/v1/jobs/job_abc/results?since=0', $url );
				return array( 'response' => array( 'code' => 200 ), 'body' => $body, 'headers' => array( 'Ringkas-Next-Since' => '1' ) );
			}
		);
		$answer = $client->job_results( 'job_abc', 0 );
		$this->assertSame( array( 7, 9 ), array_column( $answer['data']['lines'], 'id' ) );
		$this->assertSame( 1, $answer['data']['next'] );
	}

	public function test_headers_are_read_from_an_iterable_dictionary_as_wordpress_gives_them(): void {
		$headers = new ArrayIterator( array( 'Ringkas-Next-Since' => '4' ) ); // Not an array: never cast.
		$answer  = Ringkas_Client::read( array( 'response' => array( 'code' => 200 ), 'body' => '', 'headers' => $headers ), true );
		$this->assertSame( '4', $answer['data']['headers']['ringkas-next-since'] );
	}

	public function test_a_job_sends_post_ids_and_html_with_the_sites_defaults(): void {
		$sent   = null;
		$client = new Ringkas_Client(
			self::SETTINGS,
			static function ( $method, $url, $args ) use ( &$sent ) {
				$sent = json_decode( $args['body'], true );
				return array( 'response' => array( 'code' => 202 ), 'body' => '{"id": "job_1"}', 'headers' => array() );
			}
		);
		$this->assertTrue( $client->submit_job( array( 5 => array( 'id' => 5, 'html' => '<p>a</p>' ) ) )['ok'] );
		$this->assertSame( array( array( 'id' => 5, 'html' => '<p>a</p>' ) ), $sent['items'] );
		$this->assertSame( array( 'length' => 'short', 'translate' => true ), $sent['defaults'] );
	}

	public function test_the_content_fingerprint_is_fnv1a_over_utf8_like_the_panels(): void {
		$this->assertSame( '811c9dc5', Ringkas_Summaries::hash( '' ) );
		$this->assertSame( 'e40c292c', Ringkas_Summaries::hash( 'a' ) );
		$this->assertSame( Ringkas_Summaries::hash( 'Berita' ), Ringkas_Summaries::hash( "  Berita\n" ) );
		$this->assertNotSame( Ringkas_Summaries::hash( 'é' ), Ringkas_Summaries::hash( 'e' ) );
	}
}
