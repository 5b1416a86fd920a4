<?php
/**
 * A digest's request and the draft written from its answer, without WordPress.
 */

use PHPUnit\Framework\TestCase;

final class DigestTest extends TestCase {
	private static function post( int $id, string $title ): stdClass {
		$post             = new stdClass();
		$post->ID         = $id;
		$post->post_title = $title;
		return $post;
	}

	public function test_the_request_sends_the_articles_and_the_sites_choices_and_waits_longer(): void {
		$seen   = array();
		$client = new Ringkas_Client(
			array( 'url' => 'http://ringkas.test', 'api_key' => '', 'length' => 'short', 'translate' => true ),
			static function ( string $method, string $url, array $args ) use ( &$seen ) {
				$seen = array( $method, $url, $args );
				return array( 'response' => array( 'code' => 422 ), 'body' => '{"detail": "articles[1]: the text looks English", "article": 1, "detected_language": {"code": "eng_Latn", "name": "English", "confidence": 1.0}}' );
			}
		);
		$articles = array( array( 'id' => '7', 'html' => '<p>a</p>' ), array( 'id' => '9', 'html' => '<p>b</p>' ) );
		$failure  = $client->digest( $articles );
		$this->assertSame( array( 'POST', 'http://ringkas.test/v1/digest' ), array_slice( $seen, 0, 2 ) );
		$this->assertSame( array( 'articles' => $articles, 'length' => 'short', 'translate' => true ), json_decode( $seen[2]['body'], true ) );
		$this->assertGreaterThan( Ringkas_Client::TIMEOUT_S, $seen[2]['timeout'] );
		// The refusal names the article at fault, for the notice to name its post.
		$this->assertSame( 'not-indonesian', $failure['code'] );
		$this->assertSame( 1, $failure['facts']['article'] );
		$this->assertSame( 'eng_Latn', $failure['facts']['code'] );
	}

	public function test_the_draft_lists_each_source_with_its_sentences_in_reading_order_all_escaped(): void {
		$digest  = array(
			'summary'     => array( 'text' => 'Ringkasan <script>x</script>' ),
			'translation' => array( 'text' => 'The digest.' ),
			'composed'    => array(
				array( 'article' => 1, 'sentence' => 0, 'text' => 'Kalimat pembuka dari B.' ),
				array( 'article' => 1, 'sentence' => 1, 'text' => 'Kalimat kedua dari B.' ),
				array( 'article' => 0, 'sentence' => 2, 'text' => 'Fakta milik A <b>saja</b>.' ),
			),
			'sources'     => array(
				array( 'article' => 0, 'used' => 1, 'duplicates' => 2, 'left_out' => 0 ),
				array( 'article' => 1, 'used' => 2, 'duplicates' => 0, 'left_out' => 3 ),
				array( 'article' => 2, 'used' => 0, 'duplicates' => 4, 'left_out' => 0 ),
			),
		);
		$content = Ringkas_Digest::content( $digest, array( self::post( 10, 'A' ), self::post( 11, 'B & co' ), self::post( 12, 'C' ) ) );
		$this->assertStringNotContainsString( '<script>', $content );
		$this->assertStringNotContainsString( '<b>', $content );
		$this->assertStringContainsString( 'Ringkasan &lt;script&gt;', $content );
		$this->assertStringContainsString( '<h3>English translation</h3>', $content );
		// B leads (its sentences came first), then A, then C, which added nothing but is still a source.
		$b = strpos( $content, '?p=11' );
		$a = strpos( $content, '?p=10' );
		$c = strpos( $content, '?p=12' );
		$this->assertTrue( false !== $b && $b < $a && $a < $c );
		$this->assertStringContainsString( '>B &amp; co</a>', $content );
		$this->assertStringContainsString( 'sentences read: 1 · repeated another source: 2 · did not fit: 0', $content );
		$this->assertStringContainsString( 'sentences read: 0 · repeated another source: 4', $content );
		// Each sentence is listed once, under its own source.
		$this->assertSame( 1, substr_count( $content, 'Kalimat kedua dari B.' ) );
		$this->assertTrue( strpos( $content, 'Kalimat kedua dari B.' ) < $a && strpos( $content, 'Fakta milik A' ) > $a );
		// Block markup the editor parses: every opened block closed.
		$this->assertSame( substr_count( $content, '<!-- wp:list-item -->' ), substr_count( $content, '<!-- /wp:list-item -->' ) );
		$this->assertSame( substr_count( $content, '<!-- wp:list {' ) + substr_count( $content, '<!-- wp:list -->' ), substr_count( $content, '<!-- /wp:list -->' ) );
	}

	public function test_no_translation_no_translation_heading(): void {
		$content = Ringkas_Digest::content( array( 'summary' => array( 'text' => 's' ), 'translation' => null, 'composed' => array(), 'sources' => array() ), array( self::post( 1, 'A' ), self::post( 2, 'B' ) ) );
		$this->assertStringNotContainsString( 'English translation', $content );
		$this->assertStringContainsString( '?p=2', $content );
	}
}
